#!/usr/bin/perl
# demo.pl — demo data for `make run`, through carbotd's own API: a workshop
# owner (premium), a prod client key and a test key for localhost, a little
# knowledge base (hours, services, FAQ) of the business for every key's chat, and a published landing page whose
# chat widget works at once. Run by scripts/run.sh once carbotd answers;
# what it made (the login, the keys: each shown once by the API) goes to
# VAR/demo.txt (mode 600), which later runs print instead of seeding again.
#
#   perl scripts/demo.pl --url http://127.0.0.1:8080 --var var [--pid CARBOTD] \
#        --psql /usr/lib/postgresql/15/bin/psql --pghost var/run --pgport 5432
#
# --pid: give up at once when that process (carbotd) is gone.
#
# Premium the way a customer gets it: with the billing plugin in local test
# mode (the Stripe stand-in, as make run starts it) the demo owner buys
# premium monthly through checkout and the stand-in's "Pay (test mode)"
# button, so the subscription (not SQL) holds the tier and the trial's end
# does not drop it. Against real Stripe nothing is paid: the owner stays on
# the premium trial. Without billing, the tier is what registration gave.
# (--psql, --pghost, --pgport are accepted for older callers and unused.)
# Exits 0 when the demo is there (made now or before), 1 with a one-line
# reason otherwise.
use strict;
use warnings;
use utf8;
use Getopt::Long;
use HTTP::Tiny;
use JSON::PP;

my %o = (url => 'http://127.0.0.1:8080', var => 'var', psql => 'psql', pghost => 'var/run',
         pgport => 5432, wait => 60, pid => 0, standin_pay => 1);
GetOptions(\%o, 'url=s', 'var=s', 'psql=s', 'pghost=s', 'pgport=i', 'wait=i', 'pid=i', 'standin_pay!')
	or exit 2;
binmode STDOUT, ':encoding(UTF-8)';

my $EMAIL = 'demo@werkstatt-demo.de';
my $SUB = 'werkstatt-demo';
my $file = "$o{var}/demo.txt";
my $json = JSON::PP->new->utf8->canonical;
my $http = HTTP::Tiny->new(timeout => 10);

sub fail { print STDERR "demo.pl: @_\n"; exit 1 }

# Buys premium (monthly) through billing's checkout when billing runs in
# local test mode; see the header.
sub premium {
	my ($token) = @_;
	my ($st, $plans) = call('GET', '/api/v1/billing/plans');
	return if $st == 404; # no billing plugin
	fail("billing plans: HTTP $st") if $st != 200;
	return unless $plans->{test_mode} && $o{standin_pay};
	my $c = must('checkout', 200, 'POST', '/api/v1/billing/checkout',
	             {plan => 'premium', interval => 'month'}, $token);
	# only the local stand-in's page (on loopback) is paid by a script
	return unless $c->{url} =~ m{^http://(?:127\.0\.0\.1|localhost|\[::1\])[:/]};
	my $page = $http->get($c->{url});
	my ($form) = ($page->{content} // '') =~ m{<form method="post" action="([^"]*/pay)"}
		or fail('checkout: the test-mode checkout page has no Pay button');
	(my $origin = $c->{url}) =~ s{^(https?://[^/]+).*}{$1};
	HTTP::Tiny->new(timeout => 10, max_redirect => 0)->request('POST', "$origin$form",
		{headers => {'Content-Type' => 'application/x-www-form-urlencoded'}, content => 'action=pay'});
	for (1 .. $o{wait} * 5) {
		my ($s2, $sub) = call('GET', '/api/v1/billing/subscription', undef, $token);
		return if $s2 == 200 && ($sub->{plan} // '') eq 'premium' && ($sub->{status} // '') eq 'active';
		select undef, undef, undef, 0.2;
	}
	fail('checkout: the subscription did not become active premium');
}

sub call {
	my ($method, $path, $body, $token) = @_;
	my %h = (Accept => 'application/json');
	$h{Authorization} = "Bearer $token" if $token;
	my %req = (headers => \%h);
	if (defined $body) {
		$h{'Content-Type'} = 'application/json';
		$req{content} = $json->encode($body);
	}
	my $r = $http->request($method, "$o{url}$path", \%req);
	my $j = eval { $json->decode($r->{content}) };
	return ($r->{status}, $j);
}

sub must {
	my ($what, $want, $method, $path, $body, $token) = @_;
	my ($st, $j) = call($method, $path, $body, $token);
	if ($st != $want) {
		my $e = $j && ref $j->{error} eq 'HASH' ? $j->{error} : {};
		my $why = join '; ', map { "$_->{field}: $_->{message}" } grep { ref eq 'HASH' } @{$e->{details} || []};
		fail("$what: HTTP $st " . ($e->{message} // '') . ($why ? " ($why)" : ''));
	}
	return $j;
}

# carbotd answers once its migrations ran
my $ready = 0;
for (1 .. $o{wait} * 5) {
	my ($st) = call('GET', '/readyz');
	if ($st == 200) { $ready = 1; last }
	fail('carbotd stopped') if $o{pid} && !kill 0, $o{pid};
	select undef, undef, undef, 0.2;
}
fail("carbotd at $o{url} did not become ready") unless $ready;

if (-e $file) {
	open my $fh, '<:encoding(UTF-8)', $file or fail("$file: $!");
	print while <$fh>;
	exit 0;
}

my @chars = ('a' .. 'k', 'm' .. 'z', 'A' .. 'H', 'J' .. 'N', 'P' .. 'Z', 2 .. 9);
open my $rnd, '<:raw', '/dev/urandom' or fail("/dev/urandom: $!");
read $rnd, my $bytes, 16;
my $password = 'Demo-' . join '', map { $chars[$_ % @chars] } unpack 'C*', $bytes;

my ($st, $j) = call('POST', '/api/v1/auth/register',
	{email => $EMAIL, password => $password, first_name => 'Demo', last_name => 'Werkstatt',
	 company_name => 'Werkstatt Demo GmbH'});
fail("$EMAIL exists but $file is gone: remove var/ for a fresh demo") if $st == 409;
fail("register: HTTP $st") if $st != 201;
my $uid = $j->{user}{id};
my $token = $j->{tokens}{access_token};
premium($token);
# a token issued after the change carries the premium tier
$token = must('login', 200, 'POST', '/api/v1/auth/login', {email => $EMAIL, password => $password})
	->{tokens}{access_token};

my $prod = must('prod key', 201, 'POST', '/api/v1/client-keys',
	{description => 'Website', domain => 'werkstatt-demo.de', environment => 'prod'}, $token);
my $test = must('test key', 201, 'POST', '/api/v1/client-keys',
	{description => 'Lokal testen', domain => 'localhost', environment => 'test'}, $token);
# one knowledge base for the business: every key (prod and test) and the
# landing page answer from it
my $week = [{open => '08:00', close => '12:30'}, {open => '13:30', close => '18:00'}];
must('knowledge', 200, 'PUT', '/api/v1/knowledge', {
	hours => {weekly => {monday => $week, tuesday => $week, wednesday => $week, thursday => $week,
	                     friday => [{open => '08:00', close => '16:00'}], saturday => [{open => '09:00', close => '13:00'}],
	                     sunday => []}},
	services => [
		{id => 'inspektion', name => 'Inspektion', category => 'Wartung', synonyms => ['inspection', 'Durchsicht'],
		 price_kind => 'from', price => 149, description => 'Nach Herstellervorgabe'},
		{id => 'oelwechsel', name => 'Ölwechsel', category => 'Wartung', synonyms => ['oil change'],
		 price_kind => 'from', price => 79, note => 'inkl. Filter, zzgl. Öl'},
		{id => 'hu-au', name => 'HU/AU', category => 'Prüfung', synonyms => ['TÜV', 'Hauptuntersuchung', 'MOT'],
		 price_kind => 'fixed', price => 139},
		{id => 'reifenwechsel', name => 'Reifenwechsel', category => 'Reifen', synonyms => ['Räderwechsel', 'tyre change'],
		 price_kind => 'fixed', price => 39},
		{id => 'klimaservice', name => 'Klimaservice', category => 'Klima', synonyms => ['Klimaanlage', 'air con'],
		 price_kind => 'fixed', price => 89},
		{id => 'bremsen', name => 'Bremsen', category => 'Bremsen', synonyms => ['Bremsbeläge', 'Bremsscheiben', 'brakes'],
		 price_kind => 'on_request', description => 'Beläge und Scheiben'}],
	faq => [{id => 'ersatzwagen', question => {de => 'Gibt es einen Ersatzwagen?', en => 'Is there a courtesy car?'},
	         answer => {de => 'Ja, für Reparaturen ab einem Tag stellen wir Ihnen kostenlos einen Ersatzwagen.',
	                    en => 'Yes, for repairs of a day or more we lend you a car free of charge.'},
	         phrasings => [{text => 'Leihwagen', lang => 'de'}, {text => 'loan car', lang => 'en'}]},
	        {id => 'zahlung', question => {de => 'Kann ich mit Karte zahlen?', en => 'Can I pay by card?'},
	         answer => {de => 'Ja, mit EC-Karte, Kreditkarte und Apple Pay.', en => 'Yes, by debit card, credit card and Apple Pay.'},
	         phrasings => []}],
}, $token);

my $templates = must('templates', 200, 'GET', '/api/v1/templates', undef, $token)->{templates};
fail('no templates') unless ref $templates eq 'ARRAY' && @$templates;
my $hours = {map { $_ => {open => '08:00', close => '18:00'} } qw(monday tuesday wednesday thursday)};
$hours->{friday} = {open => '08:00', close => '16:00'};
$hours->{saturday} = {open => '09:00', close => '13:00'};
$hours->{sunday} = {closed => JSON::PP::true};
my $page = must('landing page', 201, 'POST', '/api/v1/landing-pages', {
	template_id => $templates->[0]{id},
	subdomain => $SUB,
	configuration => {
		business_name => 'Werkstatt Demo',
		business_description => 'Ihre Meisterwerkstatt für alle Marken: Inspektion, HU/AU, Reifen und Bremsen.',
		locale => 'de',
		contact_info => {address => 'Musterstraße 12, 10115 Berlin', phone => '+49 30 1234567',
		                 email => 'info@werkstatt-demo.de', location => {lat => 52.5321, lng => 13.3849},
		                 hours => $hours},
		services => [{name => 'Inspektion', description => 'Nach Herstellervorgabe', price => 'ab 149 €'},
		             {name => 'Reifenwechsel', price => '39 €'},
		             {name => 'Bremsen', description => 'Beläge und Scheiben'}],
		price_range => '€€',
		# the Impressum (§ 5 DDG) CarBot hosts at /impressum: made-up data
		imprint => {name => 'Werkstatt Demo GmbH', legal_form => 'GmbH',
		            representative => 'Geschäftsführer: Max Mustermann',
		            register_court => 'Amtsgericht Charlottenburg', register_number => 'HRB 000000 B',
		            vat_id => 'DE000000000', chamber => 'Handwerkskammer Berlin, Meisterbetrieb im Kfz-Techniker-Handwerk'},
		seo => {meta_title => 'Werkstatt Demo – Meisterwerkstatt in Berlin',
		        meta_description => 'Inspektion, HU/AU, Reifen und Bremsen in Berlin-Mitte.',
		        keywords => ['Werkstatt', 'Berlin', 'HU/AU'], schema_type => 'AutoRepair'},
	},
}, $token);
must('publish', 200, 'POST', "/api/v1/landing-pages/$page->{id}/publish", undef, $token);

(my $port = $o{url}) =~ s{.*:(\d+)/?$}{$1};
my $text = <<"TXT";
Demo data (made once; this file is var/demo.txt, remove var/ to start afresh):

  Landing page with chat:  $o{url}/p/$SUB
                           http://$SUB.carbot.localhost:$port/
  Owner login:             $EMAIL  /  $password
  Dashboard:               http://localhost:$port/admin/
  Client key (prod):       $prod->{key}   (werkstatt-demo.de)
  Client key (test):       $test->{key}   (any localhost page)

  Embed the widget on a page of your own on localhost:
    <script src="$o{url}/widget.js" data-client-key="$test->{key}" async></script>
TXT
umask 077;
open my $fh, '>:encoding(UTF-8)', $file or fail("$file: $!");
print {$fh} $text;
close $fh or fail("$file: $!");
print $text;
exit 0;
