#!/usr/bin/perl
# The spec's load test (k6: ramp to 100 virtual users, hold, ramp to 200,
# hold, ramp down; POST /api/v1/widget/chat; p95 < 500 ms, errors < 1 %)
# with wrk, shortened: each stage is one wrk run whose connections are the
# stage's virtual users, closed loop as k6's (no think time), a new session
# per request as the spec's script (session_VU_ITER). Ramps run at their
# middle value. Once for one carbotd, once for three behind HAProxy, all on
# one PostgreSQL and one Redis on this machine.
#
#   perl bench/load.pl            LOAD_STAGE_SECONDS=4 (holds twice that)
#
# Prints p50/p95/p99 and the error rate (connect, read, write and timeout
# errors and non-2xx answers over all requests) per stage and in all.
# Goal (issue 20): p95 < 50 ms at 200 visitors, errors < 1 %.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../t/lib";
use File::Temp ();
use File::Spec;

use CarBot::BenchNeed qw(wrk haproxy);
use CarBot::Test;
use CarBot::Cluster;
use CarBot::Chat;
use CarBot::Load;

my $secs = $ENV{LOAD_STAGE_SECONDS} || 4;
my @stages = (['ramp to 100', 50, $secs], ['hold 100', 100, 2 * $secs], ['ramp to 200', 150, $secs],
              ['hold 200', 200, 2 * $secs], ['ramp down', 100, $secs]);
my $dir = File::Temp::tempdir('carbot-bench-load-XXXXXX', TMPDIR => 1, CLEANUP => 1);

sub script {
	my ($o) = @_;
	my $path = "$dir/chat.lua";
	open my $fh, '>', $path or die "$path: $!";
	print {$fh} <<"LUA";
local counter, tid, n = 0, 0, 0
function setup(thread) counter = counter + 1; thread:set("tid", counter) end
function init(args) tid = tonumber(wrk.thread:get("tid")) or 0 end
function request()
  n = n + 1
  local body = '{"client_key":"$o->{key}","session_id":"session_' .. tid .. '_' .. n .. '_' .. os.time() .. '","message":"Test message for load testing"}'
  return wrk.format("POST", "/api/v1/widget/chat", {["Content-Type"] = "application/json", ["Origin"] = "$o->{origin}", ["User-Agent"] = "bench-load"}, body)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("LOAD requests=%d errors=%d p50=%d p95=%d p99=%d\\n", summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
LUA
	close $fh;
	return $path;
}

sub run_stages {
	my ($label, $url, $o) = @_;
	my $lua = script($o);
	`wrk -t2 -c20 -d2s -s '$lua' '$url' 2>&1`; # warm-up: connections, plans, caches
	my ($req, $err, $worst) = (0, 0, 0);
	my %at200;
	for my $s (@stages) {
		my ($name, $vus, $d) = @$s;
		my $out = `wrk -t2 -c$vus -d${d}s --timeout 5s -s '$lua' '$url' 2>&1`;
		my ($rps) = $out =~ /Requests\/sec:\s+([\d.]+)/;
		my %v = $out =~ /(requests|errors|p50|p95|p99)=(\d+)/g;
		unless (%v) { print "  $name: wrk failed:\n$out"; next }
		$req += $v{requests};
		$err += $v{errors};
		$worst = $v{p95} if $v{p95} > $worst;
		%at200 = %v if $vus == 200;
		printf "  %-22s %-12s %4d VUs %8.0f req/s  p50 %7.2f ms  p95 %7.2f ms  p99 %7.2f ms  errors %5.2f %%\n",
		  $label, $name, $vus, $rps // 0, $v{p50} / 1000, $v{p95} / 1000, $v{p99} / 1000,
		  $v{requests} ? 100 * $v{errors} / $v{requests} : 0;
	}
	my $rate = $req ? 100 * $err / $req : 100;
	my $p95 = ($at200{p95} // 1e9) / 1000;
	printf "  %-22s all stages: %d requests, errors %.2f %%, worst stage p95 %.2f ms; at 200 VUs p95 %.2f ms"
	     . " (goal < 50 ms, errors < 1 %%): %s\n\n",
	  $label, $req, $rate, $worst / 1000, $p95, $p95 < 50 && $rate < 1 ? 'ok' : 'missed';
}

my %conf = (log_level => 'warn', handler_threads => 16, db_pool_size => 24, handler_nice => 0);
print "POST /api/v1/widget/chat, the spec's k6 stages shortened ($secs s ramps, "
    . 2 * $secs . " s holds), wrk -t2 closed loop, a new session per request\n";
{
	my $c = CarBot::Load::cluster(n => 1, lb => 0, conf => \%conf);
	my $o = CarBot::Chat::owner($c->node(0), tier => 'enterprise');
	run_stages('one carbotd', $c->node(0)->url('/'), $o);
}
{
	my $c = CarBot::Load::cluster(n => 3, conf => \%conf);
	my $o = CarBot::Chat::owner($c->lb, tier => 'enterprise');
	run_stages('three behind HAProxy', $c->lb->url('/'), $o);
}
