# Behind a proxy (issue 12, item 3, and /metrics): the shipped carbot.conf
# trusts the Caddy that conf/Caddyfile.example puts in front, so visitors keep
# their own addresses through a real Caddy on loopback (one visitor's failed
# logins lock out only that visitor); carbotd warns once when forwarding
# headers come from a peer it does not trust; /metrics answers only loopback
# or its token, and Caddy does not pass it through.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use IO::Socket::INET;
use JSON::PP;
use POSIX ();
use Time::HiRes qw(sleep);
use CarBot::Test;
use CarBot::Auth;

# The value carbot.conf ships.
open my $cf, '<', "$FindBin::Bin/../conf/carbot.conf" or die $!;
my ($shipped) = map { /^trusted_proxies\s*=\s*(.*?)\s*$/ ? $1 : () } <$cf>;
close $cf;

subtest 'the shipped carbot.conf trusts the loopback proxy the Caddyfile documents' => sub {
	ok defined $shipped, 'trusted_proxies is set (not commented out)';
	like $shipped // '', qr/(^|[ ,])127\.0\.0\.1([ ,]|$)/, 'and names 127.0.0.1';
	open my $in, '<', "$FindBin::Bin/../conf/Caddyfile.example" or die $!;
	my $caddy = do { local $/; <$in> };
	like $caddy, qr/reverse_proxy 127\.0\.0\.1:8080/, 'which Caddy connects from';
	my @blocked = $caddy =~ /^\t\@internal path (.*)$/mg;
	ok @blocked >= 2, 'both proxied sites have a blocked-path matcher';
	like $_, qr{(^| )/metrics( |$)}, "it blocks /metrics ($_)" for @blocked;
};

subtest 'forwarding headers from an untrusted peer: one warning' => sub {
	my $t = CarBot::Test->new(conf => {trusted_proxies => ''});
	my $r = $t->get('/healthz', headers => {'X-Forwarded-For' => '203.0.113.9'});
	is $r->{status}, 200, 'the request is served';
	$t->get('/healthz', headers => {'X-Forwarded-For' => '203.0.113.10'});
	$t->get('/healthz', headers => {'Forwarded' => 'for=203.0.113.11'});
	my @w = grep { ($_->{msg} // '') =~ /forwarding headers/ } @{$t->log_lines};
	is scalar @w, 1, 'warned once';
	like $w[0]{msg} // '', qr/127\.0\.0\.1 is not in trusted_proxies/, 'naming the peer and the setting';
	is $w[0]{level}, 'warn', 'at level warn';
	my $t2 = CarBot::Test->new(conf => {trusted_proxies => '127.0.0.1'});
	$t2->get('/healthz', headers => {'X-Forwarded-For' => '203.0.113.9'});
	$t2->get('/healthz');
	ok !grep({ ($_->{msg} // '') =~ /forwarding headers/ } @{$t2->log_lines}), 'no warning from a trusted proxy';
};

subtest '/metrics: loopback, or the token' => sub {
	my $t = CarBot::Test->new(conf => {trusted_proxies => '127.0.0.1', metrics_token => 'm3trics-' . ('x' x 24)});
	is $t->get('/metrics')->{status}, 200, 'a loopback client: 200';
	my $out = {'X-Forwarded-For' => '203.0.113.7'};
	my $r = $t->get('/metrics', headers => $out);
	is $r->{status}, 404, 'a client elsewhere (through a trusted proxy): 404';
	unlike $r->{content}, qr/carbot_/, 'and no counts';
	is $t->get('/metrics', headers => {%$out, Authorization => 'Bearer wrong'})->{status}, 404, 'a wrong token: 404';
	is $t->get('/metrics', headers => {%$out, Authorization => 'Bearer m3trics-' . ('x' x 23)})->{status}, 404,
	  'a token one character short: 404';
	$r = $t->get('/metrics', headers => {%$out, Authorization => 'Bearer m3trics-' . ('x' x 24)});
	is $r->{status}, 200, 'the token: 200';
	like $r->{content}, qr/carbot_/, 'with the counts';
	my $t2 = CarBot::Test->new(conf => {trusted_proxies => '127.0.0.1'});
	is $t2->get('/metrics', headers => {%$out, Authorization => 'Bearer '})->{status}, 404,
	  'no token configured: an empty bearer is no key';
};

my ($caddy) = grep { -x } map { "$_/caddy" } split(/:/, $ENV{PATH}), '/usr/bin';
my ($curl) = grep { -x } map { "$_/curl" } split(/:/, $ENV{PATH});
SKIP: {
	skip 'caddy or curl is not installed (Debian: caddy, curl)', 1 unless $caddy && $curl && defined $shipped;

	my $t = CarBot::Auth::server(conf => {trusted_proxies => $shipped});
	my ($http, $https) = ($t->_reserve_port, $t->_reserve_port);
	my $dir = $t->tmpdir . '/caddy';
	mkdir $dir;
	open my $in, '<', "$FindBin::Bin/../conf/Caddyfile.example" or die $!;
	my $conf = do { local $/; <$in> };
	my $port = $t->port;
	$conf =~ s/^\temail .*$/\tadmin off\n\tlocal_certs\n\tskip_install_trust\n\thttp_port $http\n\thttps_port $https\n\tstorage file_system $dir\/data/m
	  or die 'the example has no email line';
	$conf =~ s/127\.0\.0\.1:8080/127.0.0.1:$port/g;
	$conf =~ s/^http:\/\/ \{/http:\/\/:$http {/m;
	$conf =~ s/^https:\/\/ \{/https:\/\/:$https {/m;
	$conf =~ s/^api\.carbot\.example \{/api.carbot.example:$https {/m;
	open my $out, '>', "$dir/Caddyfile" or die $!;
	print {$out} $conf;
	close $out;
	my $pid = fork // die;
	if (!$pid) {
		$ENV{HOME} = $dir;
		$ENV{XDG_DATA_HOME} = "$dir/data";
		$ENV{XDG_CONFIG_HOME} = "$dir/config";
		open STDOUT, '>', "$dir/caddy.log";
		open STDERR, '>&', \*STDOUT;
		exec($caddy, 'run', '--config', "$dir/Caddyfile", '--adapter', 'caddyfile') or POSIX::_exit(127);
	}
	for (1 .. 400) {
		last if IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $https, Timeout => 1);
		sleep 0.05;
	}

	# A visitor is a loopback source address: Caddy sees 127.0.0.N.
	my $via = sub {
		my ($from, $method, $path, $json) = @_;
		my @data = defined $json ? ('-H', 'Content-Type: application/json', '--data-binary', encode_json($json)) : ();
		my $res = '';
		if (open my $p, '-|', $curl, '-sk', '-o', '-', '-w', "\n%{http_code}", '--max-time', '20',
		    '--interface', $from, '--resolve', "api.carbot.example:$https:127.0.0.1", '-X', $method, @data,
		    "https://api.carbot.example:$https$path") {
			local $/;
			$res = <$p> // '';
			close $p;
		}
		my ($body, $status) = $res =~ /\A(.*)\n(\d+)\z/s;
		return {status => $status // 0, body => $body // ''};
	};

	subtest 'through the example Caddy, each visitor keeps its own address' => sub {
		my $u = CarBot::Auth::register($t);
		my $ok = 0;
		for (1 .. 100) { # Caddy's first TLS handshake makes its certificate
			last if ($ok = $via->('127.0.0.2', 'GET', '/healthz')->{status} == 200);
			sleep 0.1;
		}
		ok $ok, 'Caddy proxies to carbotd';
		my $bad = {email => $u->{email}, password => 'wrong-password-123'};
		my @st = map { $via->('127.0.0.2', 'POST', '/api/v1/auth/login', $bad)->{status} } 1 .. 6;
		is $st[-1], 429, 'visitor A is locked out after repeated wrong passwords';
		my $r = $via->('127.0.0.3', 'POST', '/api/v1/auth/login', {email => $u->{email}, password => $PASSWORD});
		is $r->{status}, 200, 'visitor B, from another address, signs in';
		ok scalar(grep { ($_->{route} // '') eq 'POST /api/v1/auth/login' } @{$t->log_lines}),
		  'the logins reached carbotd through Caddy';
		ok !grep({ ($_->{msg} // '') =~ /forwarding headers/ } @{$t->log_lines}), 'and carbotd did not warn';
		is $via->('127.0.0.2', 'GET', '/metrics')->{status}, 404, '/metrics is not passed through';
		is $t->get('/metrics')->{status}, 200, 'while a local scraper reads it';
	};
	kill 'TERM', $pid;
	waitpid $pid, 0;
}

done_testing;
