# The key check in one Redis round trip (plugins/keys/hint.c): a process
# that has seen a key pass keeps its record as a hint and checks the next
# request with one script, which counts only when Redis's cached record is
# still the hint. Here: the one round trip, and that a hint is never trusted
# alone (Redis's copy decides), the IP limit still comes first and a
# request refused by IP counts nothing against its key.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp ();
use CarBot::Test;
use CarBot::Auth;
use CarBot::Keys;

my $t = CarBot::Keys::server(conf => {trusted_proxies => '127.0.0.1'},
                             keys => {key_rate_limit => 10, ip_rate_limit => 4});
my $ip = 0;
sub new_ip { sprintf '203.0.113.%d', ++$ip }
sub probe {
	my ($key, $origin, %o) = @_;
	return CarBot::Keys::probe($t, $key, $origin, headers => {'X-Forwarded-For' => $o{ip} // new_ip()});
}
sub redis { my $out = `redis-cli -p ${\ $t->redis_port} @_`; chomp $out; return $out }
# Redis commands one probe sends (MONITOR lists each; those a script runs
# are marked "lua" and not counted), between a marker before and after.
my $mon = File::Temp::tempdir('carbot-hint-XXXXXX', TMPDIR => 1, CLEANUP => 1) . '/monitor.out';
sub commands_of {
	my @a = @_;
	my $port = $t->redis_port;
	my $pid = fork // die;
	if (!$pid) {
		open STDOUT, '>', $mon or die;
		exec 'stdbuf', '-oL', 'redis-cli', '-p', $port, 'MONITOR';
	}
	my $seen = sub {
		my ($what) = @_;
		for (1 .. 100) {
			redis('ECHO', $what);
			open my $fh, '<', $mon or next;
			return 1 if grep { /"ECHO" "\Q$what\E"/ } <$fh>;
			select undef, undef, undef, 0.05;
		}
		return 0;
	};
	$seen->('before') or die 'MONITOR did not start';
	my $r = probe(@a);
	$seen->('after') or die 'MONITOR stopped';
	kill 'TERM', $pid;
	waitpid $pid, 0;
	# the request's commands: those of the connection that counted the IP
	# limit (a handler thread's own; job threads use others)
	open my $fh, '<', $mon or die;
	my ($in, $n, $conn) = (0, 0);
	for (<$fh>) {
		if (/"ECHO" "before"/) { $in = 1; next }
		last if /"ECHO" "after"/;
		next if !$in || /\[\d+ lua\]/;
		my ($from) = /^\S+ \[\d+ (\S+)\]/ or next;
		$conn //= $from if /keys:ip:/;
		$n++ if defined $conn && $from eq $conn;
	}
	return ($n, $r);
}

# The cached record of the key with id $id, as Redis holds it (by hash).
sub cached_name {
	my ($id) = @_;
	for my $name (split /\n/, redis('--scan', '--pattern', "'keys:rec:h:*'")) {
		return $name if index(redis('GET', $name), $id) >= 0;
	}
	return undef;
}

my $u = CarBot::Keys::user($t, 'premium');

subtest 'a key seen before is checked in one round trip' => sub {
	my $k = CarBot::Keys::create($t, $u, domain => 'one.example.de');
	my ($first, $r) = commands_of($k->{key}, 'https://one.example.de');
	is $r->{status}, 200, 'first use: allowed';
	is probe($k->{key}, 'https://one.example.de')->{status}, 200,
		'second use: allowed (Redis learns the script)';
	my ($next, $r2) = commands_of($k->{key}, 'https://one.example.de');
	is $r2->{status}, 200, 'next use: allowed';
	is $next, 1, 'one Redis command: the script' or diag `cat $mon`;
	cmp_ok $first, '>=', 3, "the first use took the usual way ($first commands)";
	is $r2->{headers}{'ratelimit-remaining'}, 7, 'the key limit counted all three (10 - 3)';
	is_deeply $r2->{json}, $r->{json}, 'the handler sees the same key.* attributes';
	my $g = $t->get("/api/v1/client-keys/$k->{id}", headers => bearer($u->{access}));
	ok $g->{json}{last_used_at}, 'the use is recorded';
	is probe($k->{key}, 'https://evil.example.com')->{status}, 403,
		'another origin is still refused (checked in C before anything is counted)';
	is probe($k->{key}, 'https://one.example.de')->{headers}{'ratelimit-remaining'}, 6,
		'the refused request counted nothing against the key';
};

subtest 'Redis\'s copy decides, not the hint' => sub {
	my $k = CarBot::Keys::create($t, $u, domain => 'two.example.de');
	my $origin = 'https://two.example.de';
	is probe($k->{key}, $origin)->{status}, 200, 'seen once: the process holds a hint';
	my $name = cached_name($k->{id});
	ok $name, 'Redis caches the record';
	# another process switched the key off: the database changed and the
	# cached copy was dropped, but this process's hint still says active
	$t->sql("UPDATE client_keys SET is_active = false WHERE id = :'p1'", $k->{id});
	redis('DEL', $name);
	my $r = probe($k->{key}, $origin);
	is $r->{status}, 401, 'refused: Redis had no copy, so the database decided';
	like $r->{json}{error}{message}, qr/switched off/, 'because it is switched off';
	$t->sql("UPDATE client_keys SET is_active = true WHERE id = :'p1'", $k->{id});
	redis('DEL', $name);
	is probe($k->{key}, $origin)->{status}, 200, 'on again';
	# Redis holds a different record than the hint: Redis's is used
	my $rec = redis('GET', $name);
	(my $revoked = $rec) =~ s/"revoked":false/"revoked":true/ or die "no revoked field in $rec";
	open my $fh, '|-', "redis-cli -p ${\ $t->redis_port} -x SET $name >/dev/null" or die;
	print {$fh} $revoked;
	close $fh;
	$r = probe($k->{key}, $origin);
	is $r->{status}, 401, 'refused: the cached record says revoked';
	like $r->{json}{error}{message}, qr/revoked/, 'because it is revoked';
};

subtest 'the IP limit comes first; a refusal by IP counts nothing on the key' => sub {
	my $k = CarBot::Keys::create($t, $u, domain => 'three.example.de');
	my $origin = 'https://three.example.de';
	is probe($k->{key}, $origin)->{headers}{'ratelimit-remaining'}, 9, 'seen once';
	my $from = new_ip();
	my @s = map { probe($k->{key}, $origin, ip => $from)->{status} } 1 .. 5;
	is_deeply \@s, [200, 200, 200, 200, 429], 'four from one IP, the fifth refused by the IP limit';
	is probe('cb_prod_' . ('2' x 32), $origin, ip => $from)->{status}, 401,
		'another key from that IP has a budget of its own (refused as unknown, not by IP)';
	is probe($k->{key}, $origin)->{headers}{'ratelimit-remaining'}, 4,
		'the key counted 1 + 4 + this one: the refused request counted nothing';
};

subtest 'changes through the API drop the hint of this process at once' => sub {
	my $k = CarBot::Keys::create($t, $u, domain => 'four.example.de');
	my $origin = 'https://four.example.de';
	is probe($k->{key}, $origin)->{status}, 200, 'seen once';
	$t->del("/api/v1/client-keys/$k->{id}", headers => bearer($u->{access}));
	my ($n, $r) = commands_of($k->{key}, $origin);
	is $r->{status}, 401, 'revoked: refused at once';
	cmp_ok $n, '>', 1, 'the usual way (no hint left to try)';
};

done_testing;
