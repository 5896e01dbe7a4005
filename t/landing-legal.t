# The legal pages CarBot hosts for a published page: /impressum from the
# structured fields of configuration.imprint (falling back to the business's
# name and contact data), /datenschutz naming what the page and its chat
# store and for how long, the owner's own URLs (302), links on every page,
# the Impressum check at publishing (a warning, or 422 with
# require_imprint = on), and an HTML 404 in the page's design for any other
# path on a page's host (never JSON there).
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Encode qw(decode_utf8);
use CarBot::Test;
use CarBot::Auth;
use CarBot::Landing;

binmode Test::More->builder->$_, ":encoding(UTF-8)" for qw(output failure_output todo_output);

my $t = CarBot::Landing::server(landing => {cache_revalidate_ms => 0});
my $API = '/api/v1/landing-pages';
my $BASE = $CarBot::Landing::BASE;
my $u = CarBot::Landing::premium($t);
my $h = bearer($u->{access});

sub get { my $r = CarBot::Landing::host_get($t, @_); $r->{text} = decode_utf8($r->{content} // ''); $r }

my %IMPRINT = (name => 'Autohaus Muster GmbH', legal_form => 'GmbH',
               representative => 'Geschäftsführerin Erika Muster',
               register_court => 'Amtsgericht Charlottenburg', register_number => 'HRB 123456 B',
               vat_id => 'DE123456789', supervisory_authority => 'Handwerkskammer Berlin',
               extra => "Meisterbetrieb der Kfz-Innung\n<script>alert(1)</script>");
my $p = CarBot::Landing::create($t, $u, subdomain => 'legal-full',
	configuration => {%{CarBot::Landing::page_body()->{configuration}}, imprint => {%IMPRINT},
	                  privacy => {officer => 'Datenschutz Nord GmbH, dsb@example.de',
	                              extra => 'Wir nutzen keine <b>Analyse</b>-Werkzeuge.'},
	                  theme => {primary_color => '#0055aa'}});
is $p->{status}, 201, 'a page with a full Impressum' or diag $p->{content};
my $pub = $t->post("$API/$p->{json}{id}/publish", headers => $h);
is $pub->{status}, 200, 'publishes';
ok !exists $pub->{json}{warnings}, 'without a warning';
my $HOST = "legal-full.$BASE";

subtest '/impressum on the page\'s host' => sub {
	my $r = get($HOST, '/impressum');
	is $r->{status}, 200, 'status 200';
	like $r->{headers}{'content-type'}, qr{^text/html; charset=utf-8}, 'HTML';
	like $r->{headers}{'content-security-policy'}, qr/default-src 'self'/, 'the page\'s CSP';
	my $x = $r->{text};
	like $x, qr{<h1>Impressum</h1>}, 'headed Impressum';
	like $x, qr/Angaben gemäß § 5 DDG/, 'citing § 5 DDG';
	for my $k (qw(name representative register_court register_number vat_id supervisory_authority)) {
		like $x, qr/\Q$IMPRINT{$k}\E/, "shows $k";
	}
	like $x, qr/Rechtsform.*GmbH/s, 'the legal form';
	like $x, qr/Hauptstraße 1, 10115 Berlin/, 'the address (from contact_info)';
	like $x, qr{<a href="tel:\+49301234567">\+49 30 1234567</a>}, 'the phone, tappable';
	like $x, qr{<a href="mailto:info\@autohaus-muster\.de">}, 'the e-mail, tappable';
	like $x, qr/&lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'owner text is escaped';
	unlike $x, qr/<script>alert/, '... never markup';
	like $x, qr/header\{background:#0055aa;color:#ffffff\}/, 'in the page\'s colour, white text on it';
	like $x, qr{<a href="/">Autohaus Muster</a>}, 'the business name links home';
	like $x, qr{href="/datenschutz"}, 'links the privacy page';
	unlike $x, qr/unvollständig/, 'not marked incomplete';
};

subtest '/datenschutz names what is stored and how long' => sub {
	my $r = get($HOST, '/datenschutz');
	is $r->{status}, 200, 'status 200';
	my $x = $r->{text};
	like $x, qr{<h1>Datenschutzerklärung</h1>}, 'headed';
	like $x, qr/Autohaus Muster GmbH/, 'names the controller';
	like $x, qr/Datenschutz Nord GmbH/, 'and the officer';
	like $x, qr/nichts auf Ihrem Gerät, bevor Sie es öffnen/, 'the chat writes nothing before it is opened';
	like $x, qr/IP-Adresse selbst wird nicht gespeichert/, 'no IP address is stored';
	like $x, qr/30 Minuten/, 'how long a conversation\'s context is kept';
	like $x, qr/bis der Betrieb sie\s+löscht/, 'how long conversations are kept';
	like $x, qr/Art\. 15–21 DSGVO/, 'the visitor\'s rights';
	like $x, qr/keine &lt;b&gt;Analyse&lt;\/b&gt;-Werkzeuge/, 'the owner\'s own text, escaped';
};

subtest 'the rendered page links both' => sub {
	my $r = get($HOST, '/');
	like $r->{text}, qr{href="http://legal-full\.\Q$BASE\E/impressum"}, 'Impressum on the page\'s own host';
	like $r->{text}, qr{href="http://legal-full\.\Q$BASE\E/datenschutz"}, 'Datenschutz too';
	my $l = $t->get('/p/legal-full');
	like decode_utf8($l->{content}), qr{href="http://legal-full\.\Q$BASE\E/impressum"},
		'at /p/ too (not the API host\'s /impressum)';
};

subtest 'an English page gets English pages' => sub {
	my $c = CarBot::Landing::page_body()->{configuration};
	my $e = CarBot::Landing::published($t, $u, subdomain => 'legal-en',
		configuration => {%$c, locale => 'en', imprint => {representative => 'Max Muster'}});
	my $r = get("legal-en.$BASE", '/impressum');
	like $r->{text}, qr{<h1>Legal notice</h1>}, 'Legal notice';
	like $r->{text}, qr/lang="en"/, 'lang en';
	like get("legal-en.$BASE", '/datenschutz')->{text}, qr/stores nothing on your device/, 'Privacy policy';
};

subtest 'the owner\'s own legal pages: links and a redirect' => sub {
	my $c = CarBot::Landing::page_body()->{configuration};
	CarBot::Landing::published($t, $u, subdomain => 'legal-own',
		configuration => {%$c, imprint_url => 'https://muster.example/impressum',
		                  privacy_url => 'https://muster.example/privacy'});
	my $r = get("legal-own.$BASE", '/impressum');
	is $r->{status}, 302, '/impressum redirects';
	is $r->{headers}{location}, 'https://muster.example/impressum', 'to the owner\'s Impressum';
	is get("legal-own.$BASE", '/datenschutz')->{headers}{location}, 'https://muster.example/privacy',
		'/datenschutz likewise';
	like get("legal-own.$BASE", '/')->{text}, qr{href="https://muster\.example/impressum"}, 'the page links them';
};

subtest 'any other path on a page\'s host: HTML 404 in its design' => sub {
	for my $path ('/kontakt', '/impressum.html', '/a/b', '/wp-login.php', '/wp-admin/includes/file.php',
	              '/a/b/c/', join('', map { "/s$_" } 1 .. 20)) {
		my $r = get($HOST, $path);
		is $r->{status}, 404, "$path: 404";
		like $r->{headers}{'content-type'}, qr{^text/html}, '... HTML, not JSON';
		like $r->{text}, qr{<h1>Seite nicht gefunden</h1>}, '... saying so';
		like $r->{text}, qr/header\{background:#0055aa/, '... in the page\'s colour';
		like $r->{text}, qr{<a href="/">Autohaus Muster</a>}, '... with its name linking home';
		like $r->{text}, qr/name="robots" content="noindex"/, '... noindex';
	}
	my $r = get("nobody.$BASE", '/kontakt');
	is $r->{status}, 404, 'no such page: 404';
	like $r->{headers}{'content-type'}, qr{^text/html}, '... HTML';
	is get("nobody.$BASE", '/impressum')->{status}, 404, 'no Impressum for nobody\'s page';
	my $api = $t->get('/kontakt');
	is $api->{status}, 404, 'the API\'s own host: 404';
	is $api->{json}{error}{code}, 'not_found', '... the JSON error';
	is $t->get('/impressum')->{json}{error}{code}, 'not_found', '/impressum there too';
	is $t->get('/healthz')->{status}, 200, 'other routes keep answering';
	is $t->get('/api/v1/nowhere/deep/er')->{json}{error}{code}, 'not_found', 'a deep API path: the JSON 404';
	my $post = $t->post('/no/such/thing', json => {});
	is $post->{status}, 404, 'a POST to an unknown path: 404, not 405 (the catch-all is GET only)';
	is get($HOST, '/assets/x/y')->{status}, 404, 'the assets route keeps its own 404';
	unlike $t->log, qr/shadows route GET \/\{path/, 'no shadow warnings about the catch-all';
	is get($HOST, '/robots.txt')->{status}, 200, 'robots.txt still the page\'s';
	my $unpub = $t->post("$API/$p->{json}{id}/unpublish", headers => $h);
	is get($HOST, '/impressum')->{status}, 404, 'unpublished: no Impressum';
	$t->post("$API/$p->{json}{id}/publish", headers => $h);
	is get($HOST, '/impressum')->{status}, 200, 'published again: there';
};

subtest 'checks of imprint and privacy' => sub {
	my $c = CarBot::Landing::page_body()->{configuration};
	my @bad = (
		[{imprint => 'Muster'}, 'configuration.imprint', 'type'],
		[{imprint => {email => 'nope'}}, 'configuration.imprint.email', 'invalid'],
		[{imprint => {phone => 'call me'}}, 'configuration.imprint.phone', 'invalid'],
		[{imprint => {vat_id => 'DE' . ('1' x 30)}}, 'configuration.imprint.vat_id', 'too_long'],
		[{imprint => {name => "a\x{7}b"}}, 'configuration.imprint.name', 'invalid'],
		[{imprint => {representative => 5}}, 'configuration.imprint.representative', 'type'],
		[{privacy => {extra => 'x' x 6001}}, 'configuration.privacy.extra', 'too_long'],
		[{privacy => []}, 'configuration.privacy', 'type'],
	);
	for my $b (@bad) {
		my $r = CarBot::Landing::create($t, $u, configuration => {%$c, %{$b->[0]}});
		is $r->{status}, 400, "$b->[1]: 400";
		my ($d) = grep { $_->{field} eq $b->[1] } @{$r->{json}{error}{details} || []};
		is $d && $d->{issue}, $b->[2], "... $b->[2]" or diag $r->{content};
	}
	my $ok = CarBot::Landing::create($t, $u, subdomain => 'legal-patch',
		configuration => {%$c, imprint => {representative => 'A', vat_id => 'DE1'}});
	is $ok->{status}, 201, 'valid';
	my $pa = $t->patch("$API/$ok->{json}{id}", headers => $h,
	                   json => {configuration => {imprint => {vat_id => 'DE999999999', unknown => 1}}});
	is $pa->{status}, 200, 'PATCH imprint';
	is_deeply $pa->{json}{configuration}{imprint}, {representative => 'A', vat_id => 'DE999999999'},
		'merged member by member, unknown members dropped';
	my $other = CarBot::Landing::premium($t);
	is $t->patch("$API/$ok->{json}{id}", headers => bearer($other->{access}),
	             json => {configuration => {imprint => {vat_id => 'DE1'}}})->{status}, 404,
		'another owner\'s page: 404';
};

subtest 'publishing without an Impressum: a warning' => sub {
	my $c = CarBot::Landing::page_body()->{configuration};
	delete local $c->{contact_info}{email};
	my $r = CarBot::Landing::create($t, $u, subdomain => 'legal-warn', configuration => {%$c});
	my $pb = $t->post("$API/$r->{json}{id}/publish", headers => $h);
	is $pb->{status}, 200, 'published';
	my $w = $pb->{json}{warnings}[0];
	is $w->{code}, 'imprint_incomplete', 'with the warning imprint_incomplete';
	like $w->{message}, qr/imprint\.representative/, '... naming the representative';
	like $w->{message}, qr/imprint\.email/, '... and the e-mail';
	unlike $w->{message}, qr/address/, '... not the address it has';
	like get("legal-warn.$BASE", '/impressum')->{text}, qr/Impressum ist unvollständig/,
		'the Impressum says it is incomplete';
};

my $t2 = CarBot::Landing::server(landing => {require_imprint => 'on'});
subtest 'require_imprint = on: refused with a clear message' => sub {
	my $u2 = CarBot::Landing::premium($t2);
	my $h2 = bearer($u2->{access});
	my $r = CarBot::Landing::create($t2, $u2, subdomain => 'legal-strict');
	my $pb = $t2->post("$API/$r->{json}{id}/publish", headers => $h2);
	is $pb->{status}, 422, 'publish: 422';
	is $pb->{json}{error}{code}, 'imprint_incomplete', 'imprint_incomplete';
	like $pb->{json}{error}{message}, qr/needs an Impressum.*imprint\.representative/, 'saying what is missing';
	is $t2->get("$API/$r->{json}{id}", headers => $h2)->{json}{is_published}, JSON::PP::false(),
		'not published';
	is $t2->patch("$API/$r->{json}{id}", headers => $h2,
	              json => {configuration => {imprint => {representative => 'Erika Muster'}}})->{status}, 200,
		'the representative added';
	is $t2->post("$API/$r->{json}{id}/publish", headers => $h2)->{status}, 200, 'now it publishes';
	my $own = CarBot::Landing::create($t2, $u2, subdomain => 'legal-strict2',
		configuration => {%{CarBot::Landing::page_body()->{configuration}},
		                  imprint_url => 'https://muster.example/impressum'});
	is $t2->post("$API/$own->{json}{id}/publish", headers => $h2)->{status}, 200,
		'an own imprint_url counts as an Impressum';
};

done_testing;
