# What the HTTP server refuses (issue 12): slow clients past a total deadline
# for the head and for the body, too many connections from one address, two
# Host headers, white space before a header's colon, NUL in a header value.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use CarBot::Test;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(sleep time);

my $t = CarBot::Test->new(test_plugins => ['testkit'],
                          conf => {request_head_timeout => 2, request_body_timeout => 2,
                                   request_timeout => 30, max_conns_per_ip => 8});

sub conn { return IO::Socket::INET->new(PeerAddr => '127.0.0.1:' . $t->port, Timeout => 5) || die "connect: $!" }

# Sends raw bytes, reads until the server closes (at most 20 s).
sub exchange {
	my ($bytes) = @_;
	my $s = conn();
	print {$s} $bytes;
	return read_all($s, 20);
}

sub read_all {
	my ($s, $limit) = @_;
	my $sel = IO::Select->new($s);
	my ($buf, $until) = ('', time + $limit);
	while (time < $until) {
		last unless $sel->can_read($until - time);
		my $n = sysread $s, my $chunk, 65536;
		last unless $n;
		$buf .= $chunk;
	}
	return $buf;
}

sub status_of { return $_[0] =~ m{\AHTTP/1\.[01] (\d{3})} ? $1 : 'none' }

# Dribbles one header line per interval; returns (seconds until the server
# closed, what it sent), giving up after $limit seconds.
sub dribble {
	my ($head_lines, $interval, $limit, $first) = @_;
	my $s = conn();
	my $start = time;
	print {$s} $first;
	my $sel = IO::Select->new($s);
	my $got = '';
	while (time - $start < $limit) {
		if ($sel->can_read($interval)) {
			my $n = sysread $s, my $chunk, 65536;
			$got .= $chunk if $n;
			return (time - $start, $got) unless $n;
			next;
		}
		local $SIG{PIPE} = 'IGNORE';
		last unless print {$s} $head_lines;
	}
	return (time - $start, $got);
}

subtest 'a head dribbled slower than its deadline is cut off' => sub {
	# Every byte arrives well within the idle timeout (30 s), so only a
	# total deadline can end this; give up (fail) after 25 s.
	my ($secs, $got) = dribble("X-Slow: 1\r\n", 0.5, 25, "GET /healthz HTTP/1.1\r\nHost: x\r\n");
	cmp_ok $secs, '<', 25, 'the server closed the connection';
	is status_of($got), 408, 'with 408 Request Timeout';
	like $t->log, qr/request head took longer than 2 s/, 'and logged why';
};

subtest 'a body dribbled slower than its deadline is cut off' => sub {
	my ($secs, $got) = dribble('x', 0.5, 25,
		"POST /t/echo/1 HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n");
	cmp_ok $secs, '<', 25, 'the server closed the connection';
	is status_of($got), 408, 'with 408';
};

subtest 'a deadline is per request: kept-alive requests each get their own' => sub {
	my $s = conn();
	for my $i (1 .. 3) {
		print {$s} "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
		my $sel = IO::Select->new($s);
		ok $sel->can_read(10), "request $i answered";
		sysread $s, my $buf, 65536;
		like $buf, qr{\AHTTP/1\.1 200}, "request $i: 200";
		sleep 1.5 if $i < 3; # idle time between requests is no request's
	}
	print {$s} "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	like read_all($s, 10), qr{\AHTTP/1\.1 200}, 'still open after 3 s of idle time in all';
};

subtest 'connections per client address are capped' => sub {
	# The eight held heads expire after request_head_timeout (2 s): on a
	# loaded machine the ninth may come too late, or before the server has
	# accepted all eight; so up to three tries, each after a short pause.
	my ($got, @held);
	for my $try (1 .. 3) {
		@held = map { conn() } 1 .. 8;
		print {$_} "GET /healthz HTTP/1.1\r\nHost: x\r\n" for @held; # heads left open
		sleep 0.3;
		my $extra = conn();
		print {$extra} "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
		$got = read_all($extra, 10);
		last if status_of($got) eq '503';
		diag "try $try: the ninth connection got " . status_of($got);
		close $_ for @held;
		sleep 2.5; # the held ones are gone server-side too
	}
	is status_of($got), 503, 'the ninth connection is refused with 503';
	like $t->log, qr/refusing a connection from 127\.0\.0\.1: .*max_conns_per_ip/, 'and logged';
	close $_ for @held;
	my $ok;
	for (1 .. 100) { # the slots come back once those are closed (bounded)
		$ok = status_of(exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) eq '200';
		last if $ok;
		sleep 0.1;
	}
	ok $ok, 'after closing them a new connection is served';
};

subtest 'two Host headers: 400' => sub {
	my $got = exchange("GET /healthz HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\nConnection: close\r\n\r\n");
	is status_of($got), 400, 'two Host headers';
	like $got, qr/"code":"bad_request"/, 'in the error shape';
	$got = exchange("GET /healthz HTTP/1.1\r\nHost: a.example\r\nhost: a.example\r\nConnection: close\r\n\r\n");
	is status_of($got), 400, 'even when equal and differently cased';
	is status_of(exchange("GET /healthz HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n")), 200,
	  'one Host header: 200';
};

subtest 'white space before a header colon: 400 (RFC 9112 5.1)' => sub {
	is status_of(exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Test : 1\r\nConnection: close\r\n\r\n")), 400,
	  'a space';
	is status_of(exchange("GET /healthz HTTP/1.1\r\nHost\t: x\r\nConnection: close\r\n\r\n")), 400, 'a tab';
	is status_of(exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Test: a : b\r\nConnection: close\r\n\r\n")),
	  200, 'a space before a later colon in the value is fine';
};

subtest 'NUL in a header value: 400' => sub {
	is status_of(exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Test: a\0b\r\nConnection: close\r\n\r\n")), 400,
	  'NUL in a value';
	my $body = "a\0b";
	is status_of(exchange("POST /t/echo/1 HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
	                      . "Content-Length: 3\r\nConnection: close\r\n\r\n$body")), 200,
	  'NUL in a body is data';
};

subtest 'pipelined requests are each scanned and served' => sub {
	my $got = exchange("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
	                   . "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	my @st = $got =~ m{HTTP/1\.1 (\d{3})}g;
	is_deeply \@st, [200, 200], 'two pipelined good requests: two 200';
	$got = exchange("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
	                . "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad : 1\r\nConnection: close\r\n\r\n");
	@st = $got =~ m{HTTP/1\.1 (\d{3})}g;
	is_deeply \@st, [200, 400], 'a bad head behind a good one in the same packet: 200, then 400';
};

done_testing;
