#!/usr/bin/perl
# Landing benchmark: a cached, published landing page under wrk (keep-alive),
# against nginx serving the very same bytes from a file, in the same run.
#
#  1. nginx, the page as a static file (identity)          the baseline
#  2. carbotd by Host ({subdomain}.{base_domain}) at /
#  3. carbotd at /p/{subdomain}
#  4. nginx gzip_static vs carbotd by Host, Accept-Encoding: gzip
#  5. carbotd by Host with If-None-Match (304s)
#  6. carbotd GET /t/echo/x (testkit): a handler that does nothing, i.e. the
#     ceiling of any route run on carbotd's handler pool
# Goal: (2) and (3) >= 70 % of (1). Ratios are printed; figures from different
# runs do not compare (shared 2-core machines).
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/../t/lib";
use CarBot::BenchNeed qw(wrk nginx);
use CarBot::Test;
use CarBot::Auth;
use CarBot::Landing;
use IO::Compress::Gzip qw(gzip $GzipError);

my $secs = $ENV{BENCH_SECONDS} || 4;
my $rounds = $ENV{BENCH_ROUNDS} || 3;
my $conns = $ENV{BENCH_CONNS} || 64;
my $t = CarBot::Landing::server(conf => {log_level => 'warn', handler_threads => 32},
                                test_plugins => ['testkit']);
my $u = CarBot::Landing::premium($t);
my ($tpl) = CarBot::Landing::templates($t, $u);
my $page = CarBot::Landing::published($t, $u, subdomain => 'bench', template_id => $tpl);
my $host = "bench.$CarBot::Landing::BASE";
my $first = CarBot::Landing::host_get($t, $host, '/');
die "the page is not served: $first->{status}\n" unless $first->{status} == 200;
my $bytes = $first->{content};
my $etag = $first->{headers}{etag};

sub wrk {
	my ($url, @headers) = @_;
	my $h = join ' ', map { "-H '$_'" } @headers;
	`wrk -t2 -c$conns -d1s $h '$url' 2>&1`; # warm-up: connections, caches, CPU frequency
	my $out = `wrk -t2 -c$conns -d${secs}s --latency $h '$url' 2>&1`;
	my ($rps) = $out =~ /Requests\/sec:\s+([\d.]+)/;
	my %pct;
	while ($out =~ /^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$/mg) {
		$pct{$1} = $2 * ($3 eq 'us' ? 0.001 : $3 eq 's' ? 1000 : 1);
	}
	my ($non2xx) = $out =~ /Non-2xx or 3xx responses: (\d+)/;
	return {rps => $rps // 0, p50 => $pct{50} // 0, p99 => $pct{99} // 0, non2xx => $non2xx // 0};
}

# nginx serving the same bytes (and a .gz beside them for gzip_static)
sub start_nginx {
	my $dir = $t->tmpdir . '/nginx';
	mkdir $dir;
	mkdir "$dir/root";
	open my $fh, '>:raw', "$dir/root/index.html" or die;
	print {$fh} $bytes;
	close $fh;
	gzip(\$bytes => "$dir/root/index.html.gz", Level => 6) or die $GzipError;
	my $port = CarBot::Test::_reserve_port($t);
	open $fh, '>', "$dir/nginx.conf" or die;
	print {$fh} <<"CONF";
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $dir; proxy_temp_path $dir; fastcgi_temp_path $dir;
	uwsgi_temp_path $dir; scgi_temp_path $dir;
	keepalive_requests 100000;
	server {
		listen 127.0.0.1:$port;
		root $dir/root;
		location = / { default_type "text/html; charset=utf-8"; gzip_static on; gzip_vary on;
		               try_files /index.html =404; }
	}
}
CONF
	close $fh;
	system('nginx', '-c', "$dir/nginx.conf") == 0 or die "nginx did not start";
	return ($port, sub { system('nginx', '-c', "$dir/nginx.conf", '-s', 'stop') });
}

my ($nport, $nstop) = start_nginx();
my $ngx = "http://127.0.0.1:$nport/";
my @targets = (
	[nginx => $ngx],
	[by_host => $t->url('/'), "Host: $host"],
	[local => $t->url('/p/bench')],
	[nginx_gz => $ngx, 'Accept-Encoding: gzip'],
	[host_gz => $t->url('/'), "Host: $host", 'Accept-Encoding: gzip'],
	[not_mod => $t->url('/'), "Host: $host", "If-None-Match: $etag"],
	[echo => $t->url('/t/echo/x')],
);
# Rounds, each target once per round in turn, and the median of each: the
# load of a shared machine changes from second to second, and this way every
# target sees much the same.
my %runs;
for (1 .. $rounds) {
	for my $tg (@targets) {
		my ($name, $url, @h) = @$tg;
		push @{$runs{$name}}, wrk($url, @h);
	}
}
$nstop->();
my %r;
for my $name (keys %runs) {
	my @s = sort { $a->{rps} <=> $b->{rps} } @{$runs{$name}};
	$r{$name} = $s[$#s / 2];
	$r{$name}{all} = join ' ', map { sprintf '%.0f', $_->{rps} } @{$runs{$name}};
}
my ($nginx, $by_host, $local, $nginx_gz, $host_gz, $not_mod, $echo) =
	@r{qw(nginx by_host local nginx_gz host_gz not_mod echo)};

printf "\nlanding page (%s, %d bytes, gzip %d), wrk 2 threads, %d keep-alive connections,\n"
	. "%d rounds of %ds per target, median of the rounds (all in the same run)\n",
	$tpl, length $bytes, length(CarBot::Landing::host_get($t, $host, '/', 'Accept-Encoding' => 'gzip')->{content}),
	$conns, $rounds, $secs;
my $row = sub {
	my ($name, $r, $base) = @_;
	printf "  %-46s %7.0f req/s  p50 %6.2f ms  p99 %7.2f ms%s   [%s]\n", $name, @$r{qw(rps p50 p99)},
		$base ? sprintf('  = %.2f x nginx%s', $r->{rps} / ($base->{rps} || 1),
		                $base == $nginx ? ($r->{rps} >= 0.7 * $base->{rps} ? '  ok' : '  UNDER GOAL (0.70)') : '')
		      : '', $r->{all};
};
$row->('nginx static file (baseline)', $nginx);
$row->('carbotd by Host (cached)', $by_host, $nginx);
$row->('carbotd /p/{subdomain} (cached)', $local, $nginx);
$row->('nginx gzip_static', $nginx_gz);
$row->('carbotd by Host, gzip (cached)', $host_gz, $nginx_gz);
$row->('carbotd by Host, If-None-Match (304)', $not_mod);
$row->('carbotd /t/echo/x, no work (pool ceiling)', $echo, $nginx);
printf "  %-46s %.2f\n", 'landing by Host / handler-pool ceiling', $by_host->{rps} / ($echo->{rps} || 1);
printf "\nnon-2xx/3xx responses: nginx %d, by Host %d, /p/ %d, gzip %d\n",
	$nginx->{non2xx} + $nginx_gz->{non2xx}, $by_host->{non2xx}, $local->{non2xx}, $host_gz->{non2xx};
