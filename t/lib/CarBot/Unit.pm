package CarBot::Unit;
# Runs a C unit test binary built from t/unit/NAME.c; it prints TAP itself.
use strict;
use warnings;
use File::Basename qw(dirname);
use Cwd qw(abs_path);

sub run {
	my ($name) = @_;
	my $root = abs_path(dirname(__FILE__) . '/../../..');
	my $build = $ENV{CARBOT_BUILD} || 'build';
	$build = "$root/$build" unless $build =~ m{^/};
	my $bin = "$build/t/unit/$name";
	unless (-x $bin) {
		print "1..1\nnot ok 1 - $bin is built (run make units)\n";
		exit 1;
	}
	exec $bin or die "cannot run $bin: $!";
}

1;
