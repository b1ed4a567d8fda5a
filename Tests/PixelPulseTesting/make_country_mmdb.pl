#!/usr/bin/perl
# Writes a tiny MaxMind-format country database for the tests: 203.0.113.0/24 in DE,
# 198.51.100.0/24 in US, 2001:db8::/32 in JP, 192.0.2.0/24 with only a registered country
# (FR); anything else is not in it. Usage: make_country_mmdb.pl OUT.mmdb
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my ($path) = @ARGV;
die "usage: $0 OUT.mmdb\n" unless $path;
my %types = (country => 'map', registered_country => 'map', iso_code => 'utf8_string', names => 'map', en => 'utf8_string');
my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version => 6, record_size => 24, database_type => 'PixelPulse-Test-Country', languages => ['en'],
    description => { en => 'PixelPulse test countries' }, alias_ipv6_to_ipv4 => 1,
    remove_reserved_networks => 0,  # the test networks are documentation ranges
    map_key_type_callback => sub { $types{ $_[0] } },
);
sub country { my ($code, $name) = @_; return { iso_code => $code, names => { en => $name } } }
$tree->insert_network('203.0.113.0/24', { country => country('DE', 'Germany') });
$tree->insert_network('198.51.100.0/24', { country => country('US', 'United States') });
$tree->insert_network('2001:db8::/32', { country => country('JP', 'Japan') });
$tree->insert_network('192.0.2.0/24', { registered_country => country('FR', 'France') });
open my $out, '>:raw', $path or die "cannot write $path: $!\n";
$tree->write_tree($out);
close $out or die "cannot write $path: $!\n";
