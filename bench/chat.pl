#!/usr/bin/perl
# Chat benchmark: POST /api/v1/widget/chat, the hottest path, under wrk (a
# Lua script posting JSON for many sessions), against pgbench (PostgreSQL's
# own) running the identical SQL statement on the same database in the same
# run — the ceiling of what the database alone can do. The statement is read
# from plugins/chat/persist_sql.h, the very text the handler runs.
#
#  1. one busy key, many sessions        wrk, max throughput
#  2. pgbench, the same statement        same connection count as handler threads
#  3. the floor: the statement alone through carbotd (testkit's
#     /t/chat-floor: HTTP, JSON, handler pool, no key check, no Redis);
#     then the floor with 1 and with $chat_trips Redis round trips before
#     the statement (as many as the chat path waits for): what each costs
#  4. 50 keys, many sessions             wrk, max throughput
#  5. 70 % of the max rate of (1), paced per connection (wrk's delay()):
#     p50/p99 latency (goal: p99 <= 20 ms); the floor paced alike at 70 %
#     of its own maximum, for the tail the machine gives the statement alone
# Goal: (1) and (4) >= 80 % of (2). Every side draws sessions from the same
# 20,000 per key and is warmed up alike, so all mostly continue
# conversations, as real visitors do.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../t/lib";
use CarBot::BenchNeed qw(wrk pgbench);
use CarBot::Test;
use CarBot::Chat;
use File::Temp ();
use POSIX ();

my $secs = $ENV{BENCH_SECONDS} || 10;
my $conns = $ENV{BENCH_CONNS} || 64;
my $threads = $ENV{BENCH_THREADS} || 32; # handler threads = pgbench clients
# handler_nice (BENCH_NICE, default 0): PostgreSQL and Redis share these
# cores, and with the default 5 the handlers lose every contest to them
my $nice = $ENV{BENCH_NICE} // 0;
# Redis round trips the chat path waits for per message of a continued
# conversation: the key check (1), the session limit with the usage count
# and the context (1); the context write is sent without waiting
my $chat_trips = 2;
my $t = CarBot::Chat::server(
	conf => {log_level => 'warn', handler_threads => $threads, db_pool_size => $threads + 8,
	         handler_nice => $nice},
	keys => {cache_ttl => 300},
	chat => {session_limit => 100000},
	test_plugins => ['testkit'],
	redis_unix => 1); # as make run does: Redis on this machine, on its unix socket
my @owners = map { CarBot::Chat::owner($t, tier => 'enterprise') } 1 .. 50;
my $dir = File::Temp::tempdir('carbot-bench-chat-XXXXXX', TMPDIR => 1, CLEANUP => 1);

my @messages = ('Wann habt ihr geöffnet?', 'Was kostet ein Ölwechsel?', 'Hallo!',
                'Macht ihr HU/AU?', 'Where are you located?', 'Danke');

# A wrk script posting to path; $body is a Lua expression of k (a key, its
# origin and id), sid and msg.
sub lua {
	my ($name, $owners, %o) = @_;
	my $keys = join ",\n", map { qq{  {"$_->{key}", "$_->{origin}", "$_->{key_id}"}} } @$owners;
	my $msgs = join ', ', map { qq{"$_"} } @messages;
	my $delay = $o{delay_ms} ? "function delay() return $o{delay_ms} end\n" : '';
	my $path = "$dir/$name.lua";
	open my $fh, '>', $path or die;
	print {$fh} <<"LUA";
local keys = {
$keys
}
local msgs = { $msgs }
local n = 0
local tid = 0
local counter = 0
function setup(thread) counter = counter + 1; thread:set("tid", counter) end
function init(args) tid = tonumber(wrk.thread:get("tid")) or 0; math.randomseed(os.time() + tid) end
$delay
function request()
  n = n + 1
  local k = keys[math.random(#keys)]
  local sid = string.format("$o{prefix}%07d", math.random(1, 20000))
  local msg = msgs[(n % #msgs) + 1]
  local body = $o{body}
  return wrk.format("POST", "$o{path}", {["Content-Type"] = "application/json", ["Origin"] = k[2], ["User-Agent"] = "bench"}, body)
end
LUA
	close $fh;
	return $path;
}

sub chat_lua {
	my ($name, $owners, $delay_ms) = @_;
	return lua($name, $owners, delay_ms => $delay_ms, prefix => 'bench', path => '/api/v1/widget/chat',
		body => q{'{"client_key":"' .. k[1] .. '","session_id":"' .. sid .. '","message":"' .. msg .. '"}'});
}

sub floor_lua {
	my ($name, $owners, $trips, $delay_ms) = @_;
	$trips //= 0;
	return lua($name, $owners, prefix => 'floor', path => '/t/chat-floor', delay_ms => $delay_ms,
		body => qq{'{"redis_trips":$trips,"key_id":"' .. k[3] .. '","session_id":"' .. sid .. '","message":"' .. msg .. '"}'});
}

# CPU time (seconds) so far: the whole machine's busy time, carbotd's and
# Redis's, so each run can say where its CPU went per request.
my $hz = POSIX::sysconf(POSIX::_SC_CLK_TCK()) || 100;
sub cpu_now {
	open my $st, '<', '/proc/stat' or return {};
	my (undef, @f) = split ' ', scalar <$st>;
	my $busy = 0;
	$busy += $f[$_] // 0 for 0, 1, 2, 5, 6, 7; # user nice system irq softirq steal
	my $proc = sub {
		open my $fh, '<', "/proc/$_[0]/stat" or return 0;
		my $l = <$fh>;
		my @p = split ' ', substr($l, rindex($l, ')') + 2);
		return ($p[11] + $p[12]) / $hz; # utime + stime
	};
	return {all => $busy / $hz, carbotd => $proc->($t->carbotd_pid), redis => $proc->($t->{redis_pid})};
}

# Milliseconds of CPU per request between two cpu_now readings.
sub cpu_per {
	my ($a, $b, $n) = @_;
	return {map { $_ => $n ? 1000 * ($b->{$_} - $a->{$_}) / $n : 0 } keys %$a};
}

sub wrk {
	my ($script, %o) = @_;
	my $c0 = cpu_now();
	my $out = `wrk -t2 -c$conns -d${secs}s --latency -s '$script' '${\ $t->url('/')}' 2>&1`;
	my $c1 = cpu_now();
	my ($rps) = $out =~ /Requests\/sec:\s+([\d.]+)/;
	my %pct;
	while ($out =~ /^\s+(50|90|99)%\s+([\d.]+)(us|ms|s)\s*$/mg) {
		$pct{$1} = $2 * ($3 eq 'us' ? 0.001 : $3 eq 's' ? 1000 : 1);
	}
	my ($non2xx) = $out =~ /Non-2xx or 3xx responses: (\d+)/;
	my ($n) = $out =~ /(\d+) requests in/;
	return {rps => $rps // 0, p50 => $pct{50}, p99 => $pct{99}, non2xx => $non2xx // 0, raw => $out,
	        cpu => cpu_per($c0, $c1, $n)};
}

# persist_sql from plugins/chat/persist_sql.h, its $1..$9 as pgbench
# variables (in -M prepared pgbench sends them as parameters, as carbotd does).
sub statement {
	open my $fh, '<', "$FindBin::Bin/../plugins/chat/persist_sql.h" or die "persist_sql.h: $!";
	my $c = do { local $/; <$fh> };
	my ($lits) = $c =~ /persist_sql\[\]\s*=\s*(.*?);/s or die 'persist_sql not found';
	my $sql = join '', $lits =~ /"((?:[^"\\]|\\.)*)"/g;
	my @var = (':key', q{('pgb' || :s)}, ':vis', ':cmeta', ':msg', ':m1', ':ans', ':m2', ':idle');
	$sql =~ s/\$(\d)/$var[$1 - 1]/g;
	return $sql;
}

sub pgbench {
	my (%o) = @_;
	my $script = "$dir/chat.sql";
	open my $fh, '>', $script or die;
	print {$fh} "\\set s random(1, 20000)\n", statement(), ";\n";
	close $fh;
	unlink glob "$dir/pgb*";
	my %vars = (key => $owners[0]{key_id}, vis => 'a' x 64, cmeta => '{"lang":"de"}',
	            msg => $messages[0], m1 => '{"intent":"opening_hours","lang":"de"}',
	            ans => 'Unsere Öffnungszeiten: Mo–Fr 08:00–18:00.', m2 => '{"source":"builtin"}',
	            idle => 30);
	my $bin = (glob '/usr/lib/postgresql/*/bin/pgbench')[-1] || 'pgbench';
	my @cmd = ($bin, '-n', '-M', 'prepared', '-c', $threads, '-j', 2, '-T', $secs,
		$o{warm} ? () : ('--log', "--log-prefix=$dir/pgb"), '-f', $script,
		(map { ('-D', "$_=$vars{$_}") } sort keys %vars),
		'-h', $t->pg_sockdir, '-p', $t->pg_port, '-U', 'postgres', 'carbot');
	local $ENV{LC_ALL} = 'C';
	my $c0 = cpu_now();
	open my $ph, '-|', @cmd or die "pgbench: $!";
	my $out = do { local $/; <$ph> } // '';
	close $ph;
	my $c1 = cpu_now();
	my ($tps) = $out =~ /tps = ([\d.]+)/;
	my ($n) = $out =~ /number of transactions actually processed: (\d+)/;
	my @lat;
	for my $f (glob "$dir/pgb*") {
		open my $l, '<', $f or next;
		while (<$l>) { my @c = split; push @lat, $c[2] / 1000 if @c > 2 }
	}
	@lat = sort { $a <=> $b } @lat;
	return {rps => $tps // 0, p50 => $lat[int(@lat * 0.5)] // 0, p99 => $lat[int(@lat * 0.99)] // 0, raw => $out,
	        cpu => cpu_per($c0, $c1, $n)};
}

# Warm-ups first (caches, prepared plans, the sessions' conversations); the
# busy-key run and pgbench back to back, so both see tables of about the
# same size (every run adds conversations and messages).
wrk(chat_lua('warm', \@owners));
pgbench(warm => 1);
wrk(floor_lua('floorwarm', [$owners[0]]));
my $busy = wrk(chat_lua('busy', [$owners[0]]));
my $pg = pgbench();
my $floor = wrk(floor_lua('floor', [$owners[0]]));
my $floor1 = wrk(floor_lua('floor1', [$owners[0]], 1));
my $floorn = wrk(floor_lua('floorn', [$owners[0]], $chat_trips));
my $many = wrk(chat_lua('many', \@owners));
my $rate = 0.7 * $busy->{rps};
my $delay = $rate > 0 ? int($conns * 1000 / $rate) : 100;
my $paced = wrk(chat_lua('paced', [$owners[0]], $delay));
# the same pacing for the floor: the tail the machine gives the statement
# alone at 70 % of its own maximum
my $frate = 0.7 * $floor->{rps};
my $fpaced = wrk(floor_lua('floorpaced', [$owners[0]], 0, $frate > 0 ? int($conns * 1000 / $frate) : 100));

my $x = sub { sprintf '= %.2f x pgbench', $_[0]{rps} / ($pg->{rps} || 1) };
printf "\nPOST /api/v1/widget/chat, wrk 2 threads x %d connections, %ds each (same run), handler_nice %d\n",
	$conns, $secs, $nice;
printf "  %-40s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  %s\n", 'chat, one busy key',
	@$busy{qw(rps p50 p99)}, $x->($busy);
printf "  %-40s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  %s\n", 'chat, 50 keys',
	@$many{qw(rps p50 p99)}, $x->($many);
printf "  %-40s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  %s\n",
	sprintf('paced at 70%% of max (%.0f req/s)', $rate), @$paced{qw(rps p50 p99)},
	($paced->{p99} // 99) <= 20 ? 'ok (p99 <= 20 ms)' : 'OVER GOAL';
printf "  %-40s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  %s\n",
	'floor: the statement alone via carbotd', @$floor{qw(rps p50 p99)}, $x->($floor);
printf "  %-40s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  %s\n",
	sprintf('floor paced at 70%% of its max (%.0f)', $frate), @$fpaced{qw(rps p50 p99)},
	'(the machine\'s own tail)';
printf "  %-40s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  %s\n",
	'floor + 1 Redis round trip', @$floor1{qw(rps p50 p99)}, $x->($floor1);
printf "  %-40s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  %s\n",
	"floor + $chat_trips Redis round trips", @$floorn{qw(rps p50 p99)}, $x->($floorn);
printf "  %-40s %8.0f tx/s   p50 %6.2f ms  p99 %6.2f ms  (baseline)\n",
	"pgbench, same statement, $threads clients", @$pg{qw(rps p50 p99)};
print "\nCPU per request (ms; the machine's busy time; carbotd, Redis and the rest:\nPostgreSQL, wrk or pgbench, other work)\n";
for (['chat, one busy key', $busy], ['chat, 50 keys', $many], ['floor', $floor],
     ['floor + 1 Redis round trip', $floor1], ["floor + $chat_trips Redis round trips", $floorn],
     ['pgbench', $pg]) {
	my ($name, $r) = @$_;
	my $c = $r->{cpu};
	printf "  %-40s all %5.3f  carbotd %5.3f  redis %5.3f  rest %5.3f\n", $name, $c->{all},
		$c->{carbotd}, $c->{redis}, $c->{all} - $c->{carbotd} - $c->{redis};
}
printf "\nnon-2xx responses: busy %d, many %d, paced %d, floor %d, %d, %d, %d\n",
	$busy->{non2xx}, $many->{non2xx}, $paced->{non2xx}, map { $_->{non2xx} } $floor, $fpaced, $floor1, $floorn;
print "\nwrk (busy) said:\n$busy->{raw}" if $busy->{non2xx} || $ENV{BENCH_VERBOSE};
print "\nwrk (floor) said:\n$floor->{raw}" if $floor->{non2xx} || $ENV{BENCH_VERBOSE};
print "\npgbench said:\n$pg->{raw}" if !$pg->{rps} || $ENV{BENCH_VERBOSE};
