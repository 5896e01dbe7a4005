# The tools a benchmark needs, checked before it starts anything:
#
#   use CarBot::BenchNeed qw(wrk pgbench);
#
# When one is missing the script prints one line naming it and how to get it
# (scripts/deps.sh --bench) and exits 1, instead of printing zeros later.
# Looked for on PATH, in /usr/sbin (nginx, haproxy) and, for pgbench, in
# PostgreSQL's own bin directories.
package CarBot::BenchNeed;
use strict;
use warnings;
use File::Basename ();
use File::Spec;

my %debian = (wrk => 'wrk', pgbench => 'postgresql-contrib or postgresql', nginx => 'nginx-light',
              haproxy => 'haproxy');

sub where {
	my ($tool) = @_;
	my @dirs = (File::Spec->path, '/usr/sbin', '/usr/local/sbin');
	push @dirs, reverse glob '/usr/lib/postgresql/*/bin' if $tool eq 'pgbench';
	for my $d (@dirs) {
		return "$d/$tool" if -x "$d/$tool" && !-d _;
	}
	return;
}

sub import {
	my (undef, @tools) = @_;
	my $script = File::Basename::basename($0);
	for my $tool (@tools) {
		next if where($tool);
		print "bench/$script: needs $tool (scripts/deps.sh --bench; Debian: "
		    . ($debian{$tool} // $tool) . ")\n";
		exit 1;
	}
}

1;
