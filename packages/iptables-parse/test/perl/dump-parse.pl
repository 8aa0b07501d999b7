#!/usr/bin/perl
# Dump what IPTables::Parse 1.6 returns for a rules file, as canonical JSON (sorted keys).
# Usage: perl dump-parse.pl <file> <table> <ipv4|ipv6> [chain ...]
# Chains default to list_table_chains(). Used by the golden fixtures and test/perl-diff.it.test.ts.
use strict;
use warnings;
use IPTables::Parse;
use JSON::PP;

my ($file, $table, $family, @chains) = @ARGV;
die "usage: $0 file table ipv4|ipv6 [chain...]\n" unless $file and $table and $family;
my %opts = (ipt_rules_file => $file, skip_ipt_exec_check => 1);
if ($family eq 'ipv6') {
    $opts{'iptables'} = '/usr/sbin/ip6tables';
    $opts{'use_ipv6'} = 1;
}
my $ipt = IPTables::Parse->new(%opts);
@chains = @{$ipt->list_table_chains($table)} unless @chains;
my %out = (chains => [@chains], policies => {}, rules => {}, default_drop => {}, default_log => {});
for my $c (@chains) {
    $out{'policies'}{$c} = $ipt->chain_policy($table, $c);
    my $rules = eval { $ipt->chain_rules($table, $c) };
    if ($@) { my $e = $@; $e =~ s/ at .*//s; $out{'rules'}{$c} = { croak => $e }; }
    else { $out{'rules'}{$c} = $rules; }
    my ($dd, $drv) = $ipt->default_drop($table, $c);
    $out{'default_drop'}{$c} = [$dd, $drv];
    my ($dl, $lrv) = $ipt->default_log($table, $c);
    $out{'default_log'}{$c} = [$dl, $lrv];
}
print JSON::PP->new->canonical(1)->pretty->encode(\%out);
