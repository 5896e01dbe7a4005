package CarBot::Landing;
# Helpers for the landing plugin's tests: a carbotd with auth, templates and
# landing, premium users, a valid page body, and requests with a Host header.
#
#   my $t = CarBot::Landing::server(landing => {cache_revalidate_ms => 0});
#   $t->write_conf(path => $t->conf_path, CarBot::Landing::options(...));  # rewrite
#   my $u = CarBot::Landing::premium($t);            # CarBot::Auth::register + tier
#   my $p = CarBot::Landing::create($t, $u, subdomain => 'shop');   # response
#   my $r = CarBot::Landing::host_get($t, 'shop.carbot.localhost', '/');
#
# The templates plugin comes from the build like the others;
# CARBOT_TEMPLATES_SO=/path/templates.so points at another build of it.
use strict;
use utf8;
use warnings;
use Exporter 'import';
use HTTP::Tiny;
use JSON::PP;
use CarBot::Test;
use CarBot::Auth;

our @EXPORT_OK = qw(page_body);
our $BASE = 'carbot.localhost';
my $n = 0;

# The options of CarBot::Test->new (also for write_conf) for a carbotd with
# auth, templates and landing; landing => {...}, templates => {...} and
# auth => {...} add to or replace the plugins' settings.
sub options {
	my (%opt) = @_;
	my $landing = {base_domain => $BASE, site_url => 'http://{host}', asset_dir => 'assets',
	               %{delete $opt{landing} || {}}};
	my $templates = {%{delete $opt{templates} || {}}};
	$templates->{file} = $ENV{CARBOT_TEMPLATES_SO} if $ENV{CARBOT_TEMPLATES_SO};
	my $auth = {jwt_secret => $CarBot::Auth::SECRET, bcrypt_cost => 4, register_per_ip => 100000,
	            rate_premium => 100000, rate_enterprise => 100000, rate_basic => 100000,
	            %{delete $opt{auth} || {}}};
	my $pc = {%{delete $opt{plugin_conf} || {}}, landing => $landing, templates => $templates,
	          auth => $auth};
	return (plugins => ['auth', 'templates', 'landing', @{delete $opt{more} || []}],
	        plugin_conf => $pc, %opt);
}

sub server {
	my (%opt) = @_;
	return CarBot::Test->new(options(%opt));
}

# A registered user of tier (default premium), with {access} etc.
sub premium {
	my ($t, $tier) = @_;
	my $u = CarBot::Auth::register($t);
	die "register failed: $u->{status} $u->{content}" unless $u->{status} == 201;
	CarBot::Auth::set_tier($t, $u->{id}, $tier // 'premium');
	return $u;
}

# Ids of the seeded templates, from GET /api/v1/templates when the templates
# plugin serves it (else the one the stub knows).
my @TEMPLATES;
sub templates {
	my ($t, $u) = @_;
	return @TEMPLATES if @TEMPLATES;
	my $r = $t->get('/api/v1/templates', headers => CarBot::Auth::bearer($u->{access}));
	my $list = ref $r->{json} eq 'HASH' ? $r->{json}{templates} : undef;
	@TEMPLATES = $r->{status} == 200 && ref $list eq 'ARRAY' ? map { $_->{id} } @$list : ('modern');
	return @TEMPLATES;
}

sub subdomain { sprintf 'shop%d-%d', $$ % 10000, ++$n }

# A valid CreateLandingPageRequest; %over replaces top-level members.
sub page_body {
	my (%over) = @_;
	return {
		template_id => $over{template_id} // 'modern',
		subdomain => $over{subdomain} // subdomain(),
		configuration => $over{configuration} // {
			business_name => 'Autohaus Muster',
			business_description => 'Meisterwerkstatt seit 1990: Inspektion, TÜV, Reifen.',
			locale => 'de',
			contact_info => {
				address => 'Hauptstraße 1, 10115 Berlin',
				phone => '+49 30 1234567',
				email => 'info@autohaus-muster.de',
				location => {lat => 52.5321, lng => 13.3849},
				hours => {
					monday => {open => '08:00', close => '18:00'},
					tuesday => {open => '08:00', close => '18:00'},
					wednesday => '08:00-18:00',
					thursday => {open => '08:00', close => '18:00'},
					friday => {open => '08:00', close => '16:00'},
					saturday => {open => '09:00', close => '13:00'},
					sunday => {closed => JSON::PP::true},
				},
			},
			theme => {primary_color => '#0055AA', secondary_color => '#ffcc00',
			          font_family => 'rounded'},
			services => [{name => 'Inspektion', description => 'Nach Herstellervorgabe',
			              price => 'ab 149 €'},
			             {name => 'Reifenwechsel', price => '39 €'}],
			price_range => '€€',
			seo => {meta_title => 'Autohaus Muster – Ihre Werkstatt in Berlin',
			        meta_description => 'Inspektion, TÜV und Reifen in Berlin-Mitte.',
			        keywords => ['Werkstatt', 'Berlin', 'TÜV'], schema_type => 'AutoRepair'},
		},
		map { $_ => $over{$_} } grep { !/^(template_id|subdomain|configuration)$/ } keys %over,
	};
}

sub create {
	my ($t, $u, %over) = @_;
	$over{template_id} //= (templates($t, $u))[0];
	return $t->post('/api/v1/landing-pages', json => page_body(%over),
	                headers => CarBot::Auth::bearer($u->{access}));
}

# Creates and publishes a page; returns its JSON (dies on failure).
sub published {
	my ($t, $u, %over) = @_;
	my $r = create($t, $u, %over);
	die "create failed: $r->{status} $r->{content}" unless $r->{status} == 201;
	my $p = $t->post("/api/v1/landing-pages/$r->{json}{id}/publish",
	                 headers => CarBot::Auth::bearer($u->{access}));
	die "publish failed: $p->{status} $p->{content}" unless $p->{status} == 200;
	return $p->{json};
}

# GET path with a Host header (HTTP::Tiny derives Host from the URL, so the
# request is written by hand). Returns {status, headers (lower-case), content}.
sub host_get {
	my ($t, $host, $path, %h) = @_;
	my $method = delete $h{_method} // 'GET';
	require IO::Socket::INET;
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $t->port, Proto => 'tcp',
	                              Timeout => 10) or die "connect: $!";
	my $req = "$method $path HTTP/1.1\r\nHost: $host\r\nConnection: close\r\n";
	$req .= "$_: $h{$_}\r\n" for sort keys %h;
	print {$s} "$req\r\n";
	local $/;
	my $raw = <$s> // '';
	close $s;
	my ($head, $body) = split /\r\n\r\n/, $raw, 2;
	my ($status) = $head =~ m{^HTTP/1\.\d (\d+)};
	my %hdr;
	for my $l (split /\r\n/, $head) {
		next unless $l =~ /^([^:]+):\s*(.*)$/;
		my $k = lc $1;
		$hdr{$k} = exists $hdr{$k} ? "$hdr{$k}, $2" : $2;
	}
	$body //= '';
	if (($hdr{'transfer-encoding'} // '') =~ /chunked/i) {
		my $out = '';
		while ($body =~ s/^([0-9a-fA-F]+)\r\n//) {
			my $len = hex $1;
			last unless $len;
			$out .= substr $body, 0, $len, '';
			$body =~ s/^\r\n//;
		}
		$body = $out;
	}
	return {status => $status // 0, headers => \%hdr, content => $body};
}

# The JSON-LD objects of an HTML page, decoded.
sub jsonld {
	my ($html) = @_;
	my @out;
	while ($html =~ m{<script type="application/ld\+json">(.*?)</script>}sg) {
		push @out, JSON::PP->new->utf8->decode($1);
	}
	return @out;
}

1;

# ---- a DNS server for the DNS method of domain checks ----

package CarBot::Landing::DNS;
use POSIX ();
use Time::HiRes qw(sleep);

# dnsmasq on 127.0.0.1:$port answering TXT records (name => value) and,
# for other names under example.de, NXDOMAIN; stopped when the object goes
# away. undef when dnsmasq is not installed (Debian: dnsmasq-base).
sub start {
	my ($class, $t, $port, %txt) = @_;
	my ($bin) = grep { -x } '/usr/sbin/dnsmasq', '/usr/bin/dnsmasq';
	return undef unless $bin;
	my $dir = $t->tmpdir;
	my @args = ($bin, '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts',
	            '--no-poll', '--bind-interfaces', '--local=/example.de/', '--listen-address=127.0.0.1', "--port=$port",
	            "--pid-file=$dir/dnsmasq.pid", '--log-facility=-', '--user=' . (getpwuid($<))[0],
	            map { "--txt-record=$_,$txt{$_}" } sort keys %txt);
	my $pid = fork // die "fork: $!";
	if (!$pid) {
		open STDOUT, '>>', "$dir/dnsmasq.log";
		open STDERR, '>&', \*STDOUT;
		exec @args or POSIX::_exit(127);
	}
	my $self = bless {pid => $pid, parent => $$}, $class;
	# ready when it answers (any TXT query; a closed port refuses at once)
	require IO::Socket::INET;
	for (1 .. 100) {
		my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'udp');
		my $q = pack('n n n n n n', 0x1234, 0x0100, 1, 0, 0, 0) . "\x04test\x00" . pack('n n', 16, 1);
		send($s, $q, 0);
		my $rin = '';
		vec($rin, fileno($s), 1) = 1;
		# a closed port makes the socket readable too (an ICMP error): only
		# an answer counts
		if (select(my $rout = $rin, undef, undef, 0.05)) {
			my $got = recv($s, my $buf, 512, 0);
			last if defined $got && length $buf;
		}
		sleep 0.05;
	}
	return $self;
}

sub stop {
	my ($self) = @_;
	return unless $self->{pid} && $$ == $self->{parent};
	kill 'TERM', $self->{pid};
	waitpid $self->{pid}, 0;
	delete $self->{pid};
}

sub DESTROY { $_[0]->stop }

1;
