# conf/Caddyfile.example works: Caddy (when installed) run from it, on local
# ports and with its internal CA instead of Let's Encrypt, serves a page by
# its custom domain over TLS, obtains certificates only for names carbotd's
# TLS ask approves, keeps /internal/ closed and redirects HTTP to HTTPS.
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

my $t = CarBot::Landing::server();
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

done_testing;
