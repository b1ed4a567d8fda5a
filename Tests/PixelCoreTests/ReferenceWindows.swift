@testable import PixelCore

/// The obvious implementation: keep every accepted event, recount on each read.
/// ``WindowStore`` must agree with it exactly.
struct ReferenceWindows {
    struct Event {
        var key: Int, kind: EventKind, value: UInt64, count: UInt32, time: Int64
    }

    let configuration: WindowConfiguration
    var now: Int64 = 0
    var clock: Int64 = 0
    var events: [Event] = []
    var refusals = WindowStore.Refusals()

    mutating func advance(to time: Int64) {
        guard time > clock else { return }
        clock = time
        now = max(now, time)
    }

    mutating func record(_ kind: EventKind, value: UInt64, count: UInt32, at time: Int64, key: Int) -> WindowStore.Outcome {
        if time > clock + configuration.futureTolerance {
            refusals.tooFarInFuture += UInt64(count)
            return .tooFarInFuture
        }
        if time < 0 || time < now - configuration.grace {
            refusals.tooLate += UInt64(count)
            return .tooLate
        }
        now = max(now, time)
        // Robots count apart and never carry a value.
        events.append(Event(key: key, kind: kind, value: kind == .bot ? 0 : value, count: count, time: time))
        return .accepted
    }

    func counts(key: Int, window index: Int) -> Counts {
        let window = configuration.windows[index]
        let nowStep = now / configuration.unit * configuration.unit / window.step
        var counts = Counts()
        for event in events where event.key == key {
            let step = event.time / configuration.unit * configuration.unit / window.step
            if step > nowStep - Int64(window.slots) && step <= nowStep {
                counts[event.kind] += UInt64(event.count)
                counts.value += event.value
            }
        }
        return counts
    }

    /// The counts of each step of window `index`, oldest first, ending with the step that
    /// contains ``now``; and the start of the first step in ms.
    func series(key: Int, window index: Int) -> (start: Int64, slots: [Counts]) {
        let window = configuration.windows[index]
        let nowStep = now / configuration.unit * configuration.unit / window.step
        let firstStep = nowStep - Int64(window.slots) + 1
        var slots = Array(repeating: Counts(), count: window.slots)
        for event in events where event.key == key {
            let step = event.time / configuration.unit * configuration.unit / window.step
            guard step >= firstStep && step <= nowStep else { continue }
            slots[Int(step - firstStep)][event.kind] += UInt64(event.count)
            slots[Int(step - firstStep)].value += event.value
        }
        return (firstStep * window.step, slots)
    }
}
