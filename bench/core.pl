#!/usr/bin/perl
# Core benchmarks:
#  1. GET /healthz throughput under wrk, with nginx answering the same bytes
#     (return 200 in its config) as the baseline in the same run.
#  2. Isolation: GET /healthz latency, probed every 10 ms, alone (baseline),
#     then while 8 requests burn 200 ms of CPU each (as bcrypt at cost 12
#     does), then while 8 requests wait 2 s on the network (a slow loopback
#     server). Goal: p99 under 20 ms in both loaded cases.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../t/lib";
use CarBot::BenchNeed qw(wrk nginx);
use CarBot::Test;
use CarBot::Stub;
use HTTP::Tiny;
use Time::HiRes qw(time sleep);
use POSIX ();

my $secs = $ENV{BENCH_SECONDS} || 5;
my $t = CarBot::Test->new(test_plugins => ['testkit'],
	conf => {log_level => 'warn', handler_threads => 32});

sub wrk {
	my ($url, %o) = @_;
	my $out = `wrk -t$o{threads} -c$o{conns} -d${secs}s --latency '$url' 2>&1`;
	my ($rps) = $out =~ /Requests\/sec:\s+([\d.]+)/;
	my %pct;
	while ($out =~ /^\s+(50|90|99)%\s+([\d.]+)(us|ms|s)\s*$/mg) {
		$pct{$1} = $2 * ($3 eq 'us' ? 0.001 : $3 eq 's' ? 1000 : 1);
	}
	my ($non2xx) = $out =~ /Non-2xx or 3xx responses: (\d+)/;
	return {rps => $rps // 0, p50 => $pct{50}, p99 => $pct{99}, non2xx => $non2xx // 0, raw => $out};
}

# nginx answering the same body, as the throughput baseline
sub start_nginx {
	my $dir = $t->tmpdir . '/nginx';
	mkdir $dir;
	my $port = CarBot::Test::_reserve_port($t);
	open my $fh, '>', "$dir/nginx.conf" or die;
	print {$fh} <<"CONF";
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $dir; proxy_temp_path $dir; fastcgi_temp_path $dir;
	uwsgi_temp_path $dir; scgi_temp_path $dir;
	server {
		listen 127.0.0.1:$port;
		location = /healthz { default_type application/json; return 200 '{"status":"ok"}'; }
	}
}
CONF
	close $fh;
	system('nginx', '-c', "$dir/nginx.conf") == 0 or die "nginx did not start";
	return ($port, sub { system("nginx -c $dir/nginx.conf -s stop 2>/dev/null") });
}

sub probe {
	my ($url, $seconds) = @_;
	my $http = HTTP::Tiny->new(keep_alive => 1, timeout => 10);
	my @lat;
	my $until = time + $seconds;
	while (time < $until) {
		my $t0 = time;
		my $r = $http->get($url);
		push @lat, (time - $t0) * 1000 if $r->{status} == 200;
		sleep 0.01;
	}
	@lat = sort { $a <=> $b } @lat;
	return {n => scalar @lat, p50 => $lat[int(@lat * 0.50)], p99 => $lat[int(@lat * 0.99)],
		max => $lat[-1]};
}

# Runs $load (a wrk command's URL) in the background while probing.
sub probe_under {
	my ($load_url, $conns) = @_;
	my $pid = fork // die;
	if (!$pid) {
		open STDOUT, '>', '/dev/null'; exec 'wrk', '-t1', "-c$conns", '-d' . ($secs + 2) . 's', '--timeout', '10s', $load_url;
	}
	sleep 1; # let the slow requests fill up
	my $p = probe($t->url('/healthz'), $secs);
	waitpid $pid, 0;
	return $p;
}

my ($nport, $nstop) = start_nginx();
my $nginx = wrk("http://127.0.0.1:$nport/healthz", threads => 2, conns => 64);
$nstop->();
my $carbot = wrk($t->url('/healthz'), threads => 2, conns => 64);
my $api = wrk($t->url('/t/echo/x'), threads => 2, conns => 64);

my $stub = CarBot::Stub->new(routes => {'GET /slow' => sub { sleep 2; [200, [], 'late'] }});
my $alone = probe($t->url('/healthz'), $secs);
my $cpu = probe_under($t->url('/t/slow-cpu?ms=200'), 8);
my $net = probe_under($t->url('/t/fetch?timeout_ms=5000&url=' . $stub->url('/slow')), 8);

printf "\nthroughput, 2 wrk threads, 64 connections, %ds each (same run)\n", $secs;
printf "  %-38s %10.0f req/s  p50 %6.2f ms  p99 %6.2f ms\n", 'nginx return 200 (baseline)', @$nginx{qw(rps p50 p99)};
printf "  %-38s %10.0f req/s  p50 %6.2f ms  p99 %6.2f ms  = %.2f x nginx\n", 'carbotd GET /healthz (I/O thread)',
	@$carbot{qw(rps p50 p99)}, $carbot->{rps} / ($nginx->{rps} || 1);
printf "  %-38s %10.0f req/s  p50 %6.2f ms  p99 %6.2f ms  = %.2f x nginx\n", 'carbotd GET /t/echo/{id} (handler pool)',
	@$api{qw(rps p50 p99)}, $api->{rps} / ($nginx->{rps} || 1);
printf "\nisolation: GET /healthz probed every 10 ms for %ds (goal: p99 < 20 ms under load)\n", $secs;
for my $row (['alone (baseline)', $alone], ['8 in flight burning 200 ms CPU', $cpu],
	['8 in flight waiting 2 s on network', $net]) {
	my ($name, $p) = @$row;
	printf "  %-36s n=%4d  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  p99 = %.2f x baseline  %s\n",
		$name, $p->{n}, $p->{p50}, $p->{p99}, $p->{max}, $p->{p99} / ($alone->{p99} || 1),
		$p == $alone ? '' : $p->{p99} < 20 ? 'ok' : 'OVER GOAL';
}
printf "\nnon-2xx responses during throughput runs: nginx %d, healthz %d, echo %d\n",
	$nginx->{non2xx}, $carbot->{non2xx}, $api->{non2xx};
