#!/usr/bin/perl
# Chat benchmark: POST /api/v1/widget/chat, the hottest path, under wrk (a
# Lua script posting JSON for many sessions), against pgbench (PostgreSQL's
# own) running the identical SQL statement on the same database in the same
# run — the ceiling of what the database alone can do.
#
#  1. one busy key, many sessions        wrk, max throughput
#  2. 50 keys, many sessions             wrk, max throughput
#  3. pgbench, the same statement        same connection count as handler threads
#  4. 70 % of the max rate of (1), paced per connection (wrk's delay()):
#     p50/p99 latency (goal: p99 <= 20 ms)
# Goal: (1) and (2) >= 80 % of (3).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../t/lib";
use CarBot::Test;
use CarBot::Chat;
use File::Temp ();

my $secs = $ENV{BENCH_SECONDS} || 10;
my $conns = $ENV{BENCH_CONNS} || 64;
my $threads = 32;
# handler_nice (BENCH_NICE, default 0): PostgreSQL and Redis share these
# cores, and with the default 5 the handlers lose every contest to them
my $nice = $ENV{BENCH_NICE} // 0;
my $t = CarBot::Chat::server(
	conf => {log_level => 'warn', handler_threads => $threads, db_pool_size => $threads + 8,
	         handler_nice => $nice},
	keys => {cache_ttl => 300},
	chat => {session_limit => 100000});
my @owners = map { CarBot::Chat::owner($t, tier => 'enterprise') } 1 .. 50;
my $dir = File::Temp::tempdir('carbot-bench-chat-XXXXXX', TMPDIR => 1, CLEANUP => 1);

my @messages = ('Wann habt ihr geöffnet?', 'Was kostet ein Ölwechsel?', 'Hallo!',
                'Macht ihr HU/AU?', 'Where are you located?', 'Danke');

sub lua {
	my ($name, $owners, $delay_ms) = @_;
	my $keys = join ",\n", map { qq{  {"$_->{key}", "$_->{origin}"}} } @$owners;
	my $msgs = join ', ', map { qq{"$_"} } @messages;
	my $delay = $delay_ms ? "function delay() return $delay_ms end\n" : '';
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
  local sid = string.format("bench%07d", math.random(1, 20000))
  local body = '{"client_key":"' .. k[1] .. '","session_id":"' .. sid .. '","message":"' .. msgs[(n % #msgs) + 1] .. '"}'
  return wrk.format("POST", "/api/v1/widget/chat", {["Content-Type"] = "application/json", ["Origin"] = k[2], ["User-Agent"] = "bench"}, body)
end
LUA
	close $fh;
	return $path;
}

sub wrk {
	my ($script, %o) = @_;
	my $out = `wrk -t2 -c$conns -d${secs}s --latency -s '$script' '${\ $t->url('/')}' 2>&1`;
	my ($rps) = $out =~ /Requests\/sec:\s+([\d.]+)/;
	my %pct;
	while ($out =~ /^\s+(50|90|99)%\s+([\d.]+)(us|ms|s)\s*$/mg) {
		$pct{$1} = $2 * ($3 eq 'us' ? 0.001 : $3 eq 's' ? 1000 : 1);
	}
	my ($non2xx) = $out =~ /Non-2xx or 3xx responses: (\d+)/;
	return {rps => $rps // 0, p50 => $pct{50}, p99 => $pct{99}, non2xx => $non2xx // 0, raw => $out};
}

# The statement of plugins/chat/widget.c (persist_sql), with pgbench
# variables for its parameters.
sub pgbench {
	my (%o) = @_;
	my $key = $owners[0]{key_id};
	my $script = "$dir/chat.sql";
	open my $fh, '>', $script or die;
	print {$fh} <<'SQL';
\set s random(1, 20000)
WITH prev AS ( SELECT id FROM conversations WHERE session_id = 'pgb' || :s AND client_key_id = :key::uuid AND last_message_at > now() - make_interval(mins => 30) ORDER BY last_message_at DESC LIMIT 1), ins AS ( INSERT INTO conversations (client_key_id, session_id, user_identifier, message_count, metadata) SELECT :key::uuid, 'pgb' || :s, repeat('a', 64), 2, '{"lang":"de"}'::jsonb WHERE NOT EXISTS (SELECT 1 FROM prev) RETURNING id), old AS ( UPDATE conversations SET ended_at = last_message_at WHERE session_id = 'pgb' || :s AND client_key_id = :key::uuid AND ended_at IS NULL AND EXISTS (SELECT 1 FROM ins)), upd AS ( UPDATE conversations c SET message_count = c.message_count + 2, last_message_at = now() FROM prev WHERE c.id = prev.id), conv AS (SELECT id, false AS is_new FROM prev UNION ALL SELECT id, true FROM ins), msg AS ( INSERT INTO messages (conversation_id, role, content, metadata, created_at) SELECT conv.id, v.role, v.content, v.meta::jsonb, now() + v.lag FROM conv CROSS JOIN (VALUES ('user'::text, 'Wann habt ihr geöffnet?'::text, '{"intent":"opening_hours","lang":"de"}'::text, interval '0'), ('assistant', 'Unsere Öffnungszeiten: Mo–Fr 08:00–18:00.'::text, '{"source":"builtin"}'::text, interval '1 millisecond')) AS v(role, content, meta, lag)) SELECT id, is_new FROM conv;
SQL
	close $fh;
	my $bin = (glob '/usr/lib/postgresql/*/bin/pgbench')[-1] || 'pgbench';
	unlink glob "$dir/pgb*";
	my $cmd = join ' ', $bin, '-n', '-M', 'prepared', '-c', $threads, '-j', 2, '-T', $secs,
		$o{warm} ? () : ('--log', "--log-prefix=$dir/pgb"), '-f', $script, '-D', "key=$key",
		'-h', $t->pg_sockdir, '-p', $t->pg_port, '-U', 'postgres', 'carbot';
	my $out = `cd $dir && LC_ALL=C $cmd 2>&1`;
	my ($tps) = $out =~ /tps = ([\d.]+)/;
	my @lat;
	for my $f (glob "$dir/pgb*") {
		open my $l, '<', $f or next;
		while (<$l>) { my @c = split; push @lat, $c[2] / 1000 if @c > 2 }
	}
	@lat = sort { $a <=> $b } @lat;
	return {rps => $tps // 0, p50 => $lat[int(@lat * 0.5)] // 0, p99 => $lat[int(@lat * 0.99)] // 0, raw => $out};
}

# Both sides draw sessions from the same 20,000 per key and are warmed up
# alike, so both mostly continue conversations, as real visitors do.
# warm up (caches, prepared plans)
wrk(lua('warm', \@owners));
my $busy = wrk(lua('busy', [$owners[0]]));
my $many = wrk(lua('many', \@owners));
pgbench(warm => 1); # the same warm-up: its sessions' conversations exist
my $pg = pgbench();
my $rate = 0.7 * $busy->{rps};
my $delay = $rate > 0 ? int($conns * 1000 / $rate) : 100;
my $paced = wrk(lua('paced', [$owners[0]], $delay));

printf "\nPOST /api/v1/widget/chat, wrk 2 threads x %d connections, %ds each (same run), handler_nice %d\n",
	$conns, $secs, $nice;
printf "  %-40s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  = %.2f x pgbench\n", 'chat, one busy key',
	@$busy{qw(rps p50 p99)}, $busy->{rps} / ($pg->{rps} || 1);
printf "  %-40s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  = %.2f x pgbench\n", 'chat, 50 keys',
	@$many{qw(rps p50 p99)}, $many->{rps} / ($pg->{rps} || 1);
printf "  %-40s %8.0f tx/s   p50 %6.2f ms  p99 %6.2f ms  (baseline)\n",
	"pgbench, same statement, $threads clients", @$pg{qw(rps p50 p99)};
printf "  %-40s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  %s\n",
	sprintf('paced at 70%% of max (%.0f req/s)', $rate), @$paced{qw(rps p50 p99)},
	($paced->{p99} // 99) <= 20 ? 'ok (p99 <= 20 ms)' : 'OVER GOAL';
printf "\nnon-2xx responses: busy %d, many %d, paced %d\n", $busy->{non2xx}, $many->{non2xx}, $paced->{non2xx};
print "\nwrk (busy) said:\n$busy->{raw}" if $busy->{non2xx} || $ENV{BENCH_VERBOSE};
print "\npgbench said:\n$pg->{raw}" if !$pg->{rps} || $ENV{BENCH_VERBOSE};
