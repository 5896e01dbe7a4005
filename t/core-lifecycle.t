# Stopping: SIGTERM and SIGINT drain requests in flight and exit 0; a client
# that hangs up mid-request leaves carbotd healthy.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep);
use IO::Socket::INET;
use CarBot::Test;

my $t = CarBot::Test->new(test_plugins => ['testkit']);

# Starts a request in a child; returns a sub that waits and gives its status.
sub in_background {
	my ($path) = @_;
	pipe(my $r, my $w) or die;
	my $pid = fork // die;
	if (!$pid) {
		close $r;
		my $res = $t->get($path);
		print {$w} "$res->{status} " . ($res->{content} // '');
		close $w;
		POSIX::_exit(0);
	}
	close $w;
	return sub { local $/; my $out = <$r>; waitpid $pid, 0; return $out };
}

for my $sig ('TERM', 'INT') {
	subtest "SIG$sig drains the request in flight and exits 0" => sub {
		$t->start_carbotd unless $t->carbotd_pid;
		my $result = in_background('/t/slow-cpu?ms=800');
		sleep 0.3; # the request is being handled now
		my $port = $t->port;
		my $code = $t->stop_carbotd(signal => $sig);
		is $result->(), '200 done', 'the in-flight request was answered';
		is $code, 0, 'exit status 0';
		like $t->log, qr/SIG$sig received: draining/, 'drain logged';
		ok !IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port", Timeout => 1), 'no longer listening';
	};
}

subtest 'a client hanging up mid-request does not hurt carbotd' => sub {
	$t->start_carbotd;
	for (1 .. 5) {
		my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1:' . $t->port) or die;
		print {$s} "GET /t/slow-cpu?ms=300 HTTP/1.1\r\nHost: x\r\n\r\n";
		close $s;
	}
	sleep 1; # the handlers finish and find their connections gone
	is $t->get('/healthz')->{status}, 200, 'still serving';
	is $t->get('/t/echo/1')->{status}, 200, 'handlers still work';
	is $t->stop_carbotd, 0, 'clean exit';
};

done_testing;
