# Cached pages on the I/O thread (cb_route_fast): a cache entry confirmed
# less than cache_revalidate_ms ago is answered without the handler pool,
# with the same bytes and headers (ETag, 304, gzip) as the pool's answer;
# a change made behind this process's back still shows within
# cache_revalidate_ms (the fast path defers once the entry needs the
# database). The pool here is one thread, kept busy by testkit's
# /t/slow-cpu, so an answer while it is busy can only come from the fast path.
use strict;
use utf8;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use IO::Socket::INET;
use Time::HiRes qw(time sleep);
use CarBot::Test;
use CarBot::Auth;
use CarBot::Landing;

my $REVALIDATE_MS = 2000;
my $t = CarBot::Landing::server(conf => {handler_threads => 1}, test_plugins => ['testkit'],
                                landing => {cache_revalidate_ms => $REVALIDATE_MS});
my $u = CarBot::Landing::premium($t);
my $page = CarBot::Landing::published($t, $u);
my $sub = $page->{subdomain};
my $HOST = "$sub.$CarBot::Landing::BASE";

sub get { CarBot::Landing::host_get($t, @_) }

# Occupies the single handler thread for about ms of CPU; returns the socket
# (read it to wait for the end).
sub busy_pool {
	my ($ms) = @_;
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $t->port, Proto => 'tcp')
	  or die "connect: $!";
	print {$s} "GET /t/slow-cpu?ms=$ms HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
	sleep 0.2; # let the pool take it
	return $s;
}

sub timed {
	my ($host, $path, %h) = @_;
	my $t0 = time;
	my $r = get($host, $path, %h);
	return ($r, time - $t0);
}

my @same = qw(content-type content-security-policy x-frame-options cache-control vary etag
              content-encoding content-length x-content-type-options referrer-policy);

for my $case (["by Host", $HOST, '/'], ['/p/{subdomain}', '127.0.0.1', "/p/$sub"]) {
	my ($name, $host, $path) = @$case;
	subtest "$name: a fresh hit is answered while the pool is busy, same bytes" => sub {
		my $pool = get($host, $path);           # rendered (or revalidated) on the pool
		my $pool_gz = get($host, $path, 'Accept-Encoding' => 'gzip');
		is $pool->{status}, 200, 'the pool answers 200';
		my $busy = busy_pool(2000);
		my ($fast, $dt) = timed($host, $path);
		my ($fast_gz) = timed($host, $path, 'Accept-Encoding' => 'gzip');
		my ($nm, $dt304) = timed($host, $path, 'If-None-Match' => $pool->{headers}{etag});
		my ($nm_gz) = timed($host, $path, 'Accept-Encoding' => 'gzip',
		                    'If-None-Match' => $pool_gz->{headers}{etag});
		cmp_ok $dt, '<', 1.0, sprintf('answered in %.3f s while the pool is busy', $dt);
		cmp_ok $dt304, '<', 1.0, sprintf('304 in %.3f s', $dt304);
		is $fast->{status}, 200, 'status 200';
		ok $fast->{content} eq $pool->{content}, 'the same bytes';
		is $fast->{headers}{$_}, $pool->{headers}{$_}, "same $_" for @same;
		is $fast_gz->{headers}{'content-encoding'}, 'gzip', 'gzip when asked';
		ok $fast_gz->{content} eq $pool_gz->{content}, '... the same gzip bytes';
		is $fast_gz->{headers}{etag}, $pool_gz->{headers}{etag}, '... and its own ETag';
		is $nm->{status}, 304, 'If-None-Match: 304';
		is $nm->{headers}{etag}, $pool->{headers}{etag}, '... with the ETag';
		is $nm_gz->{status}, 304, 'If-None-Match of the gzip form: 304';
		local $/;
		my $slow = <$busy> // '';
		like $slow, qr{^HTTP/1\.1 200}, 'the busy request finished too';
	};
}

subtest 'a miss waits for the pool (the fast path defers)' => sub {
	my $busy = busy_pool(1000);
	my ($r, $dt) = timed('127.0.0.1', '/p/nobody-here');
	is $r->{status}, 404, 'an unknown page: 404';
	cmp_ok $dt, ">", 0.3, sprintf('after the busy request (%.3f s)', $dt);
	local $/;
	<$busy>;
	($r, $dt) = timed('127.0.0.1', '/p/nobody-here');
	is $r->{status}, 404, 'remembered as a miss: 404 again';
};

subtest 'a change by another carbotd shows within cache_revalidate_ms' => sub {
	my $before = get($HOST, '/')->{content};
	like $before, qr/Autohaus Muster/, 'the page as it is';
	my $t0 = time;
	$t->sql("UPDATE landing_pages SET configuration = jsonb_set(configuration, '{business_name}',
	         '\"Anderer Prozess\"'), render_version = render_version + 1 WHERE id = :'p1'", $page->{id});
	my ($seen, $first);
	while (time - $t0 < $REVALIDATE_MS / 1000 + 1.5) {
		my $c = get($HOST, '/')->{content};
		$first //= $c;
		if ($c =~ /Anderer Prozess/) { $seen = time - $t0; last }
		sleep 0.05;
	}
	ok $first eq $before, 'served from memory at first';
	ok defined $seen, 'the change shows';
	cmp_ok $seen // 99, '<=', $REVALIDATE_MS / 1000 + 0.3,
		sprintf('within cache_revalidate_ms (%.2f s of %.1f)', $seen // 99, $REVALIDATE_MS / 1000);
	like get('127.0.0.1', "/p/$sub")->{content}, qr/Anderer Prozess/, '/p/ too';
};

subtest 'cache_revalidate_ms = 0: every request asks the database' => sub {
	my $t0 = CarBot::Landing::server(landing => {cache_revalidate_ms => 0});
	my $u0 = CarBot::Landing::premium($t0);
	my $p0 = CarBot::Landing::published($t0, $u0);
	my $h0 = "$p0->{subdomain}.$CarBot::Landing::BASE";
	is CarBot::Landing::host_get($t0, $h0, '/')->{status}, 200, 'served';
	$t0->sql("UPDATE landing_pages SET is_published = false, render_version = render_version + 1
	          WHERE id = :'p1'", $p0->{id});
	is CarBot::Landing::host_get($t0, $h0, '/')->{status}, 404, 'a change shows at once';
};

done_testing;
