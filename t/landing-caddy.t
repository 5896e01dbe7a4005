# conf/Caddyfile.example works: Caddy (when installed) run from it, on local
# ports and with its internal CA instead of Let's Encrypt, serves a page by
# its custom domain over TLS, obtains certificates only for names carbotd's
# TLS ask approves (not for a domain still waiting for its check), which
# verify with Caddy's root certificate, keeps /internal/ closed and redirects
# HTTP to HTTPS. The ask's answers are kept in memory (tls_ask_cache_ms) and
# its database look-ups rate-limited (tls_ask_per_second).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use IO::Socket::INET;
use POSIX ();
use Time::HiRes qw(sleep);
use CarBot::Test;
use CarBot::Auth;
use CarBot::Landing;

my ($caddy) = grep { -x } map { "$_/caddy" } split(/:/, $ENV{PATH}), '/usr/bin';
plan skip_all => 'caddy is not installed (Debian: caddy)' unless $caddy;
plan skip_all => 'curl is not installed' unless grep { -x "$_/curl" } split /:/, $ENV{PATH};

my $ASK_MS = 3000; # tls_ask_cache_ms
my $t = CarBot::Landing::server(landing => {tls_ask_cache_ms => $ASK_MS, tls_ask_per_second => 5});
my ($http, $https) = ($t->_reserve_port, $t->_reserve_port);
my $dir = $t->tmpdir . '/caddy';
mkdir $dir;

# The example, made local: test ports, no admin API, the internal CA, and
# carbotd's port.
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
	exec($caddy, 'run', '--config', "$dir/Caddyfile", '--adapter', 'caddyfile')
		or POSIX::_exit(127);
}
END { if ($pid) { kill 'TERM', $pid; waitpid $pid, 0 } }
for (1 .. 200) {
	last if IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $https, Timeout => 1);
	sleep 0.05;
}

sub curl {
	my ($url, $name, $p) = @_;
	my $res = `curl -sk -o - -w '\n%{http_code}' --max-time 10 --resolve '$name:$p:127.0.0.1' '$url' 2>/dev/null`;
	my $code = $? >> 8;
	my ($body, $status) = $res =~ /\A(.*)\n(\d+)\z/s;
	return {exit => $code, status => $status // 0, body => $body // ''};
}

my $u = CarBot::Landing::premium($t);
my $page = CarBot::Landing::published($t, $u, subdomain => 'caddy-test');
# what a successful domain check does
$t->sql("UPDATE landing_pages SET custom_domain = 'www.kunde-example.de', render_version = render_version + 1
         WHERE id = :'p1'", $page->{id});

subtest 'a verified custom domain gets a certificate and its page' => sub {
	my $r = curl("https://www.kunde-example.de:$https/", 'www.kunde-example.de', $https);
	is $r->{exit}, 0, 'TLS handshake (certificate obtained on demand)';
	is $r->{status}, 200, 'status 200';
	like $r->{body}, qr/Autohaus Muster/, 'the page, found by the Host Caddy passed on';
	like $r->{body}, qr{<link rel="canonical" href="http://www\.kunde-example\.de/">}, 'for that domain';
};

subtest "the page over HTTPS verifies with Caddy's root certificate" => sub {
	my $root = "$dir/data/pki/authorities/local/root.crt";
	ok -s $root, "Caddy's internal CA wrote its root certificate";
	my $res = `curl -s -o - -w '\n%{http_code}' --max-time 10 --cacert '$root' --resolve 'www.kunde-example.de:$https:127.0.0.1' 'https://www.kunde-example.de:$https/' 2>&1`;
	is $? >> 8, 0, 'curl verifies the chain and the name (no -k)';
	like $res, qr/Autohaus Muster.*\n200\z/s, 'the page, 200';
};

subtest 'a domain waiting for its check gets no certificate' => sub {
	my $p2 = CarBot::Landing::published($t, $u, subdomain => 'caddy-pending');
	my $r = $t->post("/api/v1/landing-pages/$p2->{id}/domain", headers => CarBot::Auth::bearer($u->{access}),
	                 json => {domain => 'pending-kunde.example.de', method => 'dns'});
	is $r->{status}, 201, 'domain asked for (pending)' or diag $r->{content};
	my $c = curl("https://pending-kunde.example.de:$https/", 'pending-kunde.example.de', $https);
	isnt $c->{exit}, 0, 'the handshake fails: not verified yet';
};

subtest 'an unknown name gets no certificate' => sub {
	my $r = curl("https://evil.example.com:$https/", 'evil.example.com', $https);
	isnt $r->{exit}, 0, 'the handshake fails (the ask said no)';
	ok scalar(grep { ($_->{route} // '') eq 'GET /internal/tls/ask' && ($_->{status} // 0) == 404 }
	          @{$t->log_lines}), 'Caddy asked carbotd, which said 404';
};

subtest '/internal/ is closed from outside' => sub {
	my $r = curl("https://www.kunde-example.de:$https/internal/tls/ask?domain=www.kunde-example.de",
	             'www.kunde-example.de', $https);
	is $r->{status}, 404, '404 through Caddy';
	is $t->get('/internal/tls/ask?domain=www.kunde-example.de')->{status}, 200, 'while loopback asks freely';
};

subtest 'HTTP redirects to HTTPS' => sub {
	my $res = `curl -s -o /dev/null -w '%{http_code} %{redirect_url}' --max-time 10 -H 'Host: www.kunde-example.de' 'http://127.0.0.1:$http/x?y=1'`;
	like $res, qr{^30[18] https://www\.kunde-example\.de/x\?y=1$}, "redirect ($res)";
};

subtest 'the ask is answered from memory' => sub {
	my $ask = sub { $t->get("/internal/tls/ask?domain=$_[0]")->{status} };
	sleep 1.1; # the earlier asks may have used this second's look-ups
	is $ask->('www.kunde-example.de'), 200, 'verified: 200';
	# behind the plugin's back (another process, or SQL): nothing told this one
	$t->sql("UPDATE landing_pages SET custom_domain = NULL WHERE id = :'p1'", $page->{id});
	is $ask->('www.kunde-example.de'), 200, 'answered from memory (the row says otherwise now)';
	sleep $ASK_MS / 1000 + 0.3;
	is $ask->('www.kunde-example.de'), 404, 'after tls_ask_cache_ms the database is asked again: 404';
	$t->sql("UPDATE landing_pages SET custom_domain = 'www.kunde-example.de' WHERE id = :'p1'", $page->{id});
	sleep $ASK_MS / 1000 + 0.3;
	is $ask->('www.kunde-example.de'), 200, '200 again';
	my $h = CarBot::Auth::bearer($u->{access});
	is $t->post("/api/v1/landing-pages/$page->{id}/unpublish", headers => $h)->{status}, 200, 'unpublished';
	is $ask->('www.kunde-example.de'), 404, 'a change in this process is seen at once';
	is $t->post("/api/v1/landing-pages/$page->{id}/publish", headers => $h)->{status}, 200, 'published';
	is $ask->('www.kunde-example.de'), 200, '... both ways';
};

subtest 'new names are looked up at most tls_ask_per_second times a second' => sub {
	my %st;
	sleep 1.1; # a full second's worth of look-ups (5)
	for my $i (1 .. 60) {
		my $r = $t->get("/internal/tls/ask?domain=random$i.example.net");
		$st{$r->{status}}++;
		if ($r->{status} == 429) {
			is $r->{json}{error}{code}, 'rate_limited', 'rate_limited' if $st{429} == 1;
			is $r->{headers}{'retry-after'}, 1, 'Retry-After: 1' if $st{429} == 1;
		}
	}
	ok $st{429}, "60 new names at once: some refused without a look-up (429 x" . ($st{429} // 0) . ')';
	ok +($st{404} // 0) >= 3, 'the first ones looked up (404)';
	is $t->get('/internal/tls/ask?domain=www.kunde-example.de')->{status}, 200,
	  'a name in memory is still answered';
	my $c = curl("https://random99.example.net:$https/", 'random99.example.net', $https);
	isnt $c->{exit}, 0, 'Caddy takes a 429 as no';
};

done_testing;
