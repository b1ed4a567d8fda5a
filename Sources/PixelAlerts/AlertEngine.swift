package import PixelCore

/// Evaluates the alert rules against keys' windows and keeps each incident's state.
///
/// The aggregator hands it a key's counts whenever it reads them anyway (keys with new
/// events on every tick, every active key when the shortest window slides) and, on every
/// tick, the keys with an open incident, so `for` and `cooldown` run on time even for a
/// key that receives nothing. Only keys with an incident cost memory here.
package struct AlertEngine {
    /// A rule with its windows resolved to indices of the configured windows.
    private struct Compiled {
        var rule: AlertRule
        var window: Int
        var baseline: Int
    }

    private enum Phase {
        /// The condition holds since `since`; it fires once it has held for the rule's `for`.
        case pending(since: Int64)
        /// Fired; `recovering` is when the value last came back past the recovery threshold.
        case firing(startsAt: Int64, recovering: Int64?)
    }

    private struct Incident {
        var phase: Phase
        /// Frozen when the condition started to hold.
        var baseline: Double
        /// The value at the last evaluation.
        var value: Double
        /// The clock at the last evaluation.
        var evaluatedAt: Int64
        var campaign: CampaignID
        var pixel: PixelID?
    }

    private struct IncidentKey: Hashable {
        /// The rule's index in ``compiled``: integers hash faster than names.
        var rule: Int
        var key: Int
    }

    /// What one rule measures on one key.
    private struct Measure {
        /// `nil` when undefined (a conversion rate without clicks).
        var value: Double?
        /// `nil` without enough history or without a denominator.
        var baseline: Double?
        /// What the baseline predicts for the window: events, or conversions for `cvr-drop`.
        var expected: Double
    }

    private let windows: [WindowSpec]
    private var compiled: [Compiled] = []
    private var incidents: [IncidentKey: Incident] = [:]
    /// Transitions since the last ``takeTransitions()``, in order.
    private var transitions: [Alert] = []

    package init(windows: [WindowSpec], rules: [AlertRule]) throws(AlertRuleError) {
        self.windows = windows
        compiled = try Self.compile(rules, windows: windows)
    }

    package var rules: [AlertRule] { compiled.map(\.rule) }

    /// The keys with an open incident (pending or firing) not yet evaluated at `now`.
    package func keysWithIncidents(notEvaluatedAt now: Int64) -> Set<Int> {
        Set(incidents.lazy.filter { $0.value.evaluatedAt != now }.map(\.key.key))
    }

    /// Replaces the rules. Incidents of rules that keep their name and still watch the key
    /// carry on (baseline, `for` and `cooldown` timers included); of the others, those
    /// firing resolve now and those pending are dropped.
    package mutating func replaceRules(_ rules: [AlertRule], now: Int64) throws(AlertRuleError) {
        let old = compiled
        compiled = try Self.compile(rules, windows: windows)
        let open = incidents
        incidents = [:]
        for (id, incident) in open {
            let rule = old[id.rule].rule
            if let kept = compiled.firstIndex(where: { $0.rule.name == rule.name }),
               compiled[kept].rule.watches(campaign: incident.campaign, pixel: incident.pixel) {
                incidents[IncidentKey(rule: kept, key: id.key)] = incident
            } else if case .firing(let startsAt, _) = incident.phase {
                emit(rule, incident, .resolved, value: incident.value, startsAt: startsAt, now: now)
            }
        }
    }

    /// Evaluates every rule that watches `key`, with the key's current `counts` (one per
    /// window), `age`, the ms since the key was first seen, and `past`, what its hourly
    /// history puts between two times (`nil` for a key without one, or an unknown span).
    package mutating func evaluate(
        key: Int, campaign: CampaignID, pixel: PixelID?, counts: [Counts], age: Int64, now: Int64,
        past: (_ from: Int64, _ to: Int64) -> PastCounts? = { _, _ in nil }
    ) {
        for (index, entry) in compiled.enumerated() where entry.rule.watches(campaign: campaign, pixel: pixel) {
            let id = IncidentKey(rule: index, key: key)
            let measure = measure(entry, counts: counts, age: age, now: now, past: past)
            let rule = entry.rule
            guard !incidents.isEmpty, var incident = incidents[id] else {
                guard let baseline = measure.baseline, let value = measure.value, measure.expected >= rule.minVolume,
                      Self.isBreached(rule, value: value, baseline: baseline) else { continue }
                let incident = Incident(
                    phase: .pending(since: now), baseline: baseline, value: value, evaluatedAt: now, campaign: campaign, pixel: pixel)
                incidents[id] = incident
                if rule.holdFor == 0 { advance(id, incident, rule, value: value, now: now) }
                continue
            }
            incident.value = measure.value ?? incident.value
            incident.evaluatedAt = now
            switch incident.phase {
            case .pending:
                guard let value = measure.value, Self.isBreached(rule, value: value, baseline: incident.baseline) else {
                    incidents[id] = nil
                    continue
                }
                incidents[id] = incident
                advance(id, incident, rule, value: value, now: now)
            case .firing(let startsAt, let recovering):
                guard let value = measure.value, value >= rule.recover * incident.baseline else {
                    incident.phase = .firing(startsAt: startsAt, recovering: nil)
                    incidents[id] = incident
                    continue
                }
                let since = recovering ?? now
                if now - since >= rule.cooldown {
                    emit(rule, incident, .resolved, value: value, startsAt: startsAt, now: now)
                    incidents[id] = nil
                } else {
                    incident.phase = .firing(startsAt: startsAt, recovering: since)
                    incidents[id] = incident
                }
            }
        }
    }

    /// The alerts that fired or resolved since the last call, in order.
    package mutating func takeTransitions() -> [Alert] {
        defer { transitions.removeAll(keepingCapacity: true) }
        return transitions
    }

    /// Fires a pending incident whose condition has held for the rule's `for`.
    private mutating func advance(_ id: IncidentKey, _ incident: Incident, _ rule: AlertRule, value: Double, now: Int64) {
        guard case .pending(let since) = incident.phase, now - since >= rule.holdFor else { return }
        var incident = incident
        incident.phase = .firing(startsAt: since, recovering: nil)
        incidents[id] = incident
        emit(rule, incident, .firing, value: value, startsAt: since, now: now)
    }

    private mutating func emit(
        _ rule: AlertRule, _ incident: Incident, _ status: Alert.Status, value: Double, startsAt: Int64, now: Int64
    ) {
        transitions.append(Alert(
            status: status, rule: rule.name, kind: rule.kind, severity: rule.severity,
            campaign: incident.campaign, pixel: incident.pixel,
            metric: rule.kind == .conversionRateDrop ? "cvr" : rule.metric.rawValue,
            window: rule.window.name, baselineWindow: rule.baseline.name, baselineFrom: rule.baselineFrom,
            value: value, baseline: incident.baseline, threshold: rule.below * incident.baseline,
            startsAt: startsAt, endsAt: status == .resolved ? now : nil,
            fingerprint: Alert.fingerprint(rule: rule.name, campaign: incident.campaign, pixel: incident.pixel)))
    }

    /// Whether `value` is past the firing threshold.
    private static func isBreached(_ rule: AlertRule, value: Double, baseline: Double) -> Bool {
        rule.kind == .silence ? value == 0 : value < rule.below * baseline
    }

    /// The value over the rule's window, and its baseline: the recent level (see
    /// ``recentLevel(_:counts:age:)``), or one read off the key's hourly history.
    private func measure(
        _ entry: Compiled, counts: [Counts], age: Int64, now: Int64, past: (Int64, Int64) -> PastCounts?
    ) -> Measure {
        let rule = entry.rule
        let recent = counts[entry.window]
        let length = rule.window.length
        let isRate = rule.kind == .conversionRateDrop
        let value: Double? = isRate ? recent.cvr : Double(rule.metric.count(in: recent)) / (Double(length) / 1000)
        /// The baseline `ago` ms back in the history.
        func seasonal(_ ago: Int64) -> Double? {
            guard let counts = past(now - ago - length, now - ago) else { return nil }
            if isRate { return counts.clicks >= 1 ? counts.conversions / counts.clicks : nil }
            return rule.metric.count(in: counts) / (Double(length) / 1000)
        }
        let day: Int64 = 86_400_000
        let baseline: Double? = switch rule.baselineFrom {
        case .recent: recentLevel(entry, counts: counts, age: age)
        case .yesterday: seasonal(day)
        case .lastWeek: seasonal(7 * day)
        case .seasonal: Self.blend([seasonal(day), seasonal(7 * day), recentLevel(entry, counts: counts, age: age)])
        }
        let expected = (baseline ?? 0) * (isRate ? Double(recent.clicks) : Double(length) / 1000)
        return Measure(value: value, baseline: baseline, expected: expected)
    }

    /// The median of the baselines known; of two, the lower (the cautious choice).
    private static func blend(_ candidates: [Double?]) -> Double? {
        let known = candidates.compactMap { $0 }.sorted()
        return known.count == 2 ? known[0] : known.isEmpty ? nil : known[known.count / 2]
    }

    /// The measure over the earlier part of the rule's baseline window — no longer than the
    /// key has existed, and at least one window long; `nil` without that much history or,
    /// for a conversion rate, without clicks.
    private func recentLevel(_ entry: Compiled, counts: [Counts], age: Int64) -> Double? {
        let rule = entry.rule
        let recent = counts[entry.window]
        let whole = counts[entry.baseline]
        let earlierSpan = min(rule.baseline.length, age) - rule.window.length
        guard earlierSpan >= rule.window.length else { return nil }
        if rule.kind == .conversionRateDrop {
            let earlierClicks = whole.clicks.subtractingClamped(recent.clicks)
            guard earlierClicks > 0 else { return nil }
            return Double(whole.conversions.subtractingClamped(recent.conversions)) / Double(earlierClicks)
        }
        let earlier = rule.metric.count(in: whole).subtractingClamped(rule.metric.count(in: recent))
        return Double(earlier) / (Double(earlierSpan) / 1000)
    }

    private static func compile(_ rules: [AlertRule], windows: [WindowSpec]) throws(AlertRuleError) -> [Compiled] {
        var names: Set<String> = []
        var compiled: [Compiled] = []
        for (index, rule) in rules.enumerated() {
            func refuse(_ field: String, _ message: String) -> AlertRuleError {
                var error = AlertRuleError(rule: rule.name, field: field, message)
                error.index = index
                return error
            }
            let kept = windows.map(\.name).joined(separator: ", ")
            guard names.insert(rule.name).inserted else { throw refuse("name", "another rule has this name") }
            guard let window = windows.firstIndex(of: rule.window) else {
                throw refuse("window", "\(rule.window.name) is not one of the windows kept (\(kept))")
            }
            guard let baseline = windows.firstIndex(of: rule.baseline) else {
                throw refuse("baseline", "\(rule.baseline.name) is not one of the windows kept (\(kept))")
            }
            guard baseline > window else { throw refuse("baseline", "must be longer than the window, \(rule.window.name)") }
            guard rule.pixel == nil || rule.scope == .pixels else {
                throw refuse("scope", "a rule for one pixel watches that pixel: scope must be pixels")
            }
            guard rule.baselineFrom == .recent || (rule.scope == .campaigns && rule.pixel == nil) else {
                throw refuse("scope", "hourly history is kept per campaign: a \(rule.baselineFrom.rawValue) baseline needs scope campaigns")
            }
            guard (0...1).contains(rule.below), rule.recover > rule.below, rule.recover <= 1 else {
                throw refuse("recover", "must be above below (\(rule.below)) and at most 1")
            }
            guard rule.minVolume >= 0, rule.holdFor >= 0, rule.cooldown >= 0 else {
                throw refuse("min_volume", "min_volume, for and cooldown cannot be negative")
            }
            compiled.append(Compiled(rule: rule, window: window, baseline: baseline))
        }
        return compiled
    }
}

// MARK: - Checkpoints

extension AlertEngine {
    /// Writes the open incidents, each under its rule's name.
    package func encode(into writer: inout ByteWriter) {
        writer.write(UInt32(incidents.count))
        for (id, incident) in incidents.sorted(by: { ($0.key.rule, $0.key.key) < ($1.key.rule, $1.key.key) }) {
            writer.write(string: compiled[id.rule].rule.name)
            writer.write(UInt32(id.key))
            switch incident.phase {
            case .pending(let since):
                writer.write(UInt8(0))
                writer.write(since)
                writer.write(Int64.min)
            case .firing(let startsAt, let recovering):
                writer.write(UInt8(1))
                writer.write(startsAt)
                writer.write(recovering ?? .min)
            }
            writer.write(incident.baseline.bitPattern)
            writer.write(incident.value.bitPattern)
            writer.write(incident.evaluatedAt)
            writer.write(string: incident.campaign.rawValue)
            writer.write(string: incident.pixel?.rawValue ?? "")
        }
    }

    /// Reads incidents written by ``encode(into:)``; those of rules no longer in force (by
    /// name) or that no longer watch their key are left out.
    package mutating func restoreIncidents(decoding reader: inout ByteReader, keyCount: Int) throws(WireError) {
        let count = Int(try reader.read(UInt32.self, "incident count"))
        for _ in 0..<count {
            let name = try reader.readString("incident rule")
            let key = Int(try reader.read(UInt32.self, "incident key"))
            let tag = try reader.read(UInt8.self, "incident phase")
            let first = try reader.read(Int64.self, "incident time")
            let second = try reader.read(Int64.self, "incident time")
            let baseline = Double(bitPattern: try reader.read(UInt64.self, "incident baseline"))
            let value = Double(bitPattern: try reader.read(UInt64.self, "incident value"))
            let evaluatedAt = try reader.read(Int64.self, "incident evaluation time")
            let campaign = CampaignID(unchecked: try reader.readString("incident campaign"))
            let pixelName = try reader.readString("incident pixel")
            let pixel = pixelName.isEmpty ? nil : PixelID(unchecked: pixelName)
            guard key < keyCount, tag <= 1 else { throw .countOutOfRange(field: "incident key or phase", count: key) }
            guard let rule = compiled.firstIndex(where: { $0.rule.name == name }),
                  compiled[rule].rule.watches(campaign: campaign, pixel: pixel) else { continue }
            let phase = tag == 0 ? Phase.pending(since: first) : .firing(startsAt: first, recovering: second == .min ? nil : second)
            incidents[IncidentKey(rule: rule, key: key)] = Incident(
                phase: phase, baseline: baseline, value: value, evaluatedAt: evaluatedAt, campaign: campaign, pixel: pixel)
        }
    }

    /// The fingerprints of the incidents firing now.
    package var firingFingerprints: Set<String> {
        Set(incidents.compactMap { id, incident in
            guard case .firing = incident.phase else { return nil }
            return Alert.fingerprint(rule: compiled[id.rule].rule.name, campaign: incident.campaign, pixel: incident.pixel)
        })
    }

    /// Resolves, at the next ``takeTransitions()``, an alert that fired with no incident
    /// left to resolve it (its rule is gone).
    package mutating func resolve(_ alert: Alert, now: Int64) {
        var resolved = alert
        resolved.status = .resolved
        resolved.endsAt = now
        transitions.append(resolved)
    }
}
