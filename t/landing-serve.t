# Serving published pages: by Host and at /p/{subdomain}, the HTML 404,
# caching (ETag, 304, gzip, invalidation within and across processes), the
# page's own CSP, escaping of user text, SEO head and JSON-LD, robots.txt and
# sitemap.xml per host, and the widget tag.
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use IO::Uncompress::Gunzip qw(gunzip $GunzipError);
use Time::HiRes qw(sleep);
use Encode qw(encode_utf8 decode_utf8);
use CarBot::Test;
use CarBot::Auth;
use CarBot::Landing;

my $t = CarBot::Landing::server(landing => {cache_revalidate_ms => 1000});
my $API = '/api/v1/landing-pages';
my $BASE = $CarBot::Landing::BASE;
my $u = CarBot::Landing::premium($t);
my $h = bearer($u->{access});
my $page = CarBot::Landing::published($t, $u, subdomain => 'werkstatt');
my $HOST = "werkstatt.$BASE";

sub get { CarBot::Landing::host_get($t, @_) }

subtest 'a published page is served by Host' => sub {
	my $r = get($HOST, '/');
	is $r->{status}, 200, 'status 200';
	like $r->{headers}{'content-type'}, qr{^text/html; charset=utf-8}, 'HTML';
	like decode_utf8($r->{content}), qr/Autohaus Muster/, 'the business name';
	like $r->{content}, qr/<html[^>]* lang="de"/, 'lang';
	my $csp = $r->{headers}{'content-security-policy'};
	like $csp, qr/style-src 'self' 'unsafe-inline'/, 'CSP allows inline styles';
	like $csp, qr/script-src 'self'(;|$)/, '... and scripts only from the page\'s host';
	unlike $csp, qr/default-src 'none'/, 'not the API\'s strict default';
	is $r->{headers}{'x-frame-options'}, 'SAMEORIGIN', 'framing by the dashboard only';
	is $r->{headers}{'x-content-type-options'}, 'nosniff', 'nosniff';
	is get("WERKSTATT.$BASE:8080", '/')->{status}, 200, 'Host is case-insensitive, port ignored';
	is get("$HOST.", '/')->{status}, 200, 'a trailing dot too';
};

subtest '/p/{subdomain} serves the same page' => sub {
	my $a = get($HOST, '/');
	my $b = $t->get('/p/werkstatt');
	is $b->{status}, 200, 'status 200';
	is $b->{content}, $a->{content}, 'the same bytes';
	is $t->get('/p/WERKSTATT')->{status}, 200, 'case-insensitive';
};

subtest 'unknown and unpublished pages are an HTML 404' => sub {
	my $draft = CarBot::Landing::create($t, $u, subdomain => 'entwurf')->{json};
	for my $try ([ "nobody.$BASE", '/' ], [ "entwurf.$BASE", '/' ], [ "a.b.$BASE", '/' ],
	             [ 'www.unknown-domain.de', '/' ]) {
		my $r = get(@$try);
		is $r->{status}, 404, "$try->[0]: 404";
		like $r->{headers}{'content-type'}, qr{^text/html}, '... as HTML';
		like decode_utf8($r->{content}), qr/Seite nicht gefunden/, '... a page for people';
	}
	for my $sub (qw(entwurf nobody x_y)) {
		my $r = $t->get("/p/$sub");
		is $r->{status}, 404, "/p/$sub: 404";
		like $r->{headers}{'content-type'}, qr{^text/html}, '... as HTML';
	}
	my $r = get('127.0.0.1', '/');
	is $r->{status}, 404, 'the API host has no page at /';
	like $r->{headers}{'content-type'}, qr{^application/json}, '... and says so in JSON';
	is get($BASE, '/')->{status}, 404, 'nor has the base domain itself';
	$r = $t->post("$API/$draft->{id}/publish", headers => $h);
	is get("entwurf.$BASE", '/')->{status}, 200, 'published: the remembered 404 is gone at once';
	$t->post("$API/$draft->{id}/unpublish", headers => $h);
	is get("entwurf.$BASE", '/')->{status}, 404, 'unpublished: 404 at once';
};

subtest 'ETag and If-None-Match: 304' => sub {
	my $r = get($HOST, '/');
	my $etag = $r->{headers}{etag};
	like $etag, qr/^"[0-9a-f]{20}"$/, 'a strong ETag';
	like $r->{headers}{'cache-control'}, qr/no-cache/, 'browsers revalidate';
	like $r->{headers}{vary}, qr/Accept-Encoding/, 'Vary: Accept-Encoding';
	my $nm = get($HOST, '/', 'If-None-Match' => $etag);
	is $nm->{status}, 304, 'If-None-Match: 304';
	is $nm->{content}, '', 'no body';
	is $nm->{headers}{etag}, $etag, 'the same ETag';
	is get($HOST, '/', 'If-None-Match' => "\"other\", W/$etag")->{status}, 304, 'weak and in a list';
	is get($HOST, '/', 'If-None-Match' => '"other"')->{status}, 200, 'another ETag: 200';
	is $t->get('/p/werkstatt', headers => {'If-None-Match' => $etag})->{status}, 304, 'at /p/ too';
	$t->patch("$API/$page->{id}", headers => $h, json => {configuration => {business_name => 'Neuer Name'}});
	my $after = get($HOST, '/', 'If-None-Match' => $etag);
	is $after->{status}, 200, 'after a change the old ETag gets the new page';
	isnt $after->{headers}{etag}, $etag, 'with a new ETag';
	like $after->{content}, qr/Neuer Name/, 'the change is served at once';
	$t->patch("$API/$page->{id}", headers => $h, json => {configuration => {business_name => 'Autohaus Muster'}});
};

subtest 'gzip when the client takes it' => sub {
	my $plain = get($HOST, '/');
	my $gz = get($HOST, '/', 'Accept-Encoding' => 'br, gzip;q=0.8');
	is $gz->{headers}{'content-encoding'}, 'gzip', 'Content-Encoding: gzip';
	ok length($gz->{content}) < length($plain->{content}), 'smaller';
	gunzip(\$gz->{content} => \my $out) or diag $GunzipError;
	is $out, $plain->{content}, 'the same page';
	like $gz->{headers}{etag}, qr/-gz"$/, 'its own ETag';
	is get($HOST, '/', 'Accept-Encoding' => 'gzip', 'If-None-Match' => $gz->{headers}{etag})->{status},
	  304, 'which revalidates';
	my $no = get($HOST, '/', 'Accept-Encoding' => 'gzip;q=0, deflate');
	ok !$no->{headers}{'content-encoding'}, 'gzip;q=0: identity';
	is $no->{content}, $plain->{content}, '... the plain page';
	is get($HOST, '/', 'Accept-Encoding' => '*')->{headers}{'content-encoding'}, 'gzip', '*: gzip';
};

subtest 'HEAD answers the headers only' => sub {
	my $r = get($HOST, '/', _method => 'HEAD');
	is $r->{status}, 200, 'status 200';
	is $r->{headers}{'content-length'}, length(get($HOST, '/')->{content}), 'the GET length';
	local $TODO = 'core: HEAD replies still carry the GET body on the wire';
	is length($r->{content}), 0, 'no body';
};

subtest 'a change by another carbotd shows after cache_revalidate_ms' => sub {
	my $before = get($HOST, '/')->{content};
	# what another process does: the row changes, render_version grows
	$t->sql("UPDATE landing_pages SET configuration = jsonb_set(configuration, '{business_name}',
	         '\"Anderer Prozess\"'), render_version = render_version + 1 WHERE id = :'p1'", $page->{id});
	is get($HOST, '/')->{content}, $before, 'served from memory for now';
	sleep 1.3;
	like get($HOST, '/')->{content}, qr/Anderer Prozess/, 'then the new version';
	$t->sql("UPDATE landing_pages SET configuration = jsonb_set(configuration, '{business_name}',
	         '\"Ohne Version\"') WHERE id = :'p1'", $page->{id});
	sleep 1.3;
	unlike get($HOST, '/')->{content}, qr/Ohne Version/, 'the cache is keyed by render_version';
	$t->sql("UPDATE landing_pages SET is_published = false, render_version = render_version + 1
	         WHERE id = :'p1'", $page->{id});
	sleep 1.3;
	is get($HOST, '/')->{status}, 404, 'unpublished elsewhere: 404 after the interval';
	$t->patch("$API/$page->{id}", headers => $h, json => {configuration => {business_name => 'Autohaus Muster'}});
	$t->post("$API/$page->{id}/publish", headers => $h);
	is get($HOST, '/')->{status}, 200, 'published again';
};

my @XSS = ('<script>alert(1)</script>', '"><img src=x onerror=alert(2)>', "'onmouseover='alert(3)",
           '</script><script>alert(4)</script>', '{{7*7}}<svg onload=alert(5)>', '`-alert(6)-`');

subtest 'user text stays text: XSS payloads in every text field' => sub {
	my $i = 0;
	my $x = sub { $XSS[$i++ % @XSS] . " #$i" };
	my $body = CarBot::Landing::page_body(subdomain => 'xss-test',
		template_id => (CarBot::Landing::templates($t, $u))[0]);
	my $c = $body->{configuration};
	$c->{business_name} = '<script>alert(1)</script>';
	$c->{business_description} = $x->() . "\n" . $x->();
	$c->{contact_info}{address} = $x->();
	$c->{services} = [map { {name => $x->(), description => $x->(), price => substr($x->(), 0, 40)} } 1 .. 3];
	$c->{price_range} = '<b>€</b>';
	$c->{tagline} = $x->();
	$c->{hours_note} = $x->();
	$c->{highlights} = [{title => substr($x->(), 0, 80), text => $x->()}];
	$c->{brands} = [substr($x->(), 0, 40)];
	$c->{vehicles} = [{title => $x->(), price => substr($x->(), 0, 40), details => $x->(), image_alt => $x->()}];
	$c->{tires} = {season_note => $x->(), storage_price => substr($x->(), 0, 40)};
	$c->{testimonials} = [{quote => $x->(), author => substr($x->(), 0, 80)}];
	$c->{seo} = {meta_title => $x->(), meta_description => $x->(), keywords => [$x->(), $x->()],
	             schema_type => 'AutoRepair'};
	my $r = $t->post($API, json => $body, headers => $h);
	is $r->{status}, 201, 'accepted as text' or diag $r->{content};
	$t->post("$API/$r->{json}{id}/publish", headers => $h);
	for my $html (get("xss-test.$BASE", '/')->{content},
	              $t->get("$API/$r->{json}{id}/preview", headers => $h)->{content}) {
		unlike $html, qr/<script>alert/i, 'no <script>alert';
		unlike $html, qr/<img src=x/i, 'no injected <img>';
		unlike $html, qr/<svg onload/i, 'no injected <svg>';
		unlike $html, qr/<b>€/, 'no injected <b>';
		unlike $html, qr/\s'?onmouseover='alert/, 'no injected attribute';
		my @scripts = $html =~ m{<script\b[^>]*>}g;
		ok !grep({ !/type="application\/ld\+json"|src="\/widget\.js"/ } @scripts),
		  'only the JSON-LD and widget scripts' or diag explain \@scripts;
		my ($ld) = CarBot::Landing::jsonld($html);
		is $ld->{name}, '<script>alert(1)</script>', 'JSON-LD carries the name as data';
		like $html, qr{"name":"\\u003cscript\\u003ealert\(1\)\\u003c/script\\u003e"},
		  '... written with \\u003c, so </script> cannot end the element';
		like $html, qr/&lt;script&gt;alert\(1\)&lt;\/script&gt;|&lt;script&gt;alert\(1\)&lt;&#x2F;script&gt;/,
		  'the visible name is escaped';
	}
};

subtest 'JSON-LD: the schema type, address, geo, hours, phone' => sub {
	my $html = get($HOST, '/')->{content};
	my @ld = CarBot::Landing::jsonld($html);
	is scalar @ld, 1, 'one JSON-LD block that parses as JSON';
	my $ld = $ld[0];
	is $ld->{'@context'}, 'https://schema.org', '@context';
	is $ld->{'@type'}, 'AutoRepair', '@type';
	is $ld->{name}, 'Autohaus Muster', 'name';
	is_deeply $ld->{address}, {'@type' => 'PostalAddress', streetAddress => 'Hauptstraße 1',
	                           postalCode => '10115', addressLocality => 'Berlin', addressCountry => 'DE'}, 'address';
	is_deeply $ld->{geo}, {'@type' => 'GeoCoordinates', latitude => 52.5321, longitude => 13.3849}, 'geo';
	is $ld->{telephone}, '+49 30 1234567', 'telephone';
	is $ld->{url}, "http://$HOST/", 'url';
	is $ld->{priceRange}, '€€', 'priceRange';
	is scalar @{$ld->{openingHoursSpecification}}, 6, 'six open days';
	is_deeply $ld->{openingHoursSpecification}[5], {'@type' => 'OpeningHoursSpecification',
		dayOfWeek => 'https://schema.org/Saturday', opens => '09:00', closes => '13:00'}, 'Saturday';
	$t->patch("$API/$page->{id}", headers => $h, json => {seo => {schema_type => 'CarDealer'}});
	($ld) = CarBot::Landing::jsonld(get($HOST, '/')->{content});
	is $ld->{'@type'}, 'AutoDealer', 'CarDealer renders as AutoDealer';
	$t->patch("$API/$page->{id}", headers => $h, json => {seo => {schema_type => 'AutoRepair'}});
};

subtest 'the SEO head' => sub {
	my $html = decode_utf8(get($HOST, '/')->{content});
	like $html, qr{<title>Autohaus Muster – Ihre Werkstatt in Berlin</title>}, 'title';
	like $html, qr{<meta name="description" content="Inspektion, TÜV und Reifen in Berlin-Mitte.">}, 'description';
	like $html, qr{<meta name="keywords" content="Werkstatt, Berlin, TÜV">}, 'keywords';
	like $html, qr{<link rel="canonical" href="http://$HOST/">}, 'canonical';
	like $html, qr{<meta property="og:title" content="Autohaus Muster – Ihre Werkstatt in Berlin">}, 'og:title';
	like $html, qr{<meta property="og:url" content="http://$HOST/">}, 'og:url';
	like $html, qr{<meta property="og:locale" content="de_DE">}, 'og:locale';
	like $html, qr{<meta name="twitter:card" content="summary">}, 'twitter:card';
	unlike $html, qr{<meta name="robots"}, 'indexable';
	is scalar(() = $html =~ /<title>/g), 1, 'one title';
	$t->patch("$API/$page->{id}", headers => $h, json => {configuration => {locale => 'en'}});
	like get($HOST, '/')->{content}, qr/<html[^>]* lang="en"/, 'lang follows the locale';
	$t->patch("$API/$page->{id}", headers => $h, json => {configuration => {locale => 'de'}});
};

subtest 'robots.txt and sitemap.xml per host' => sub {
	my $r = get($HOST, '/robots.txt');
	is $r->{status}, 200, 'robots.txt 200';
	is $r->{content}, "User-agent: *\nAllow: /\nSitemap: http://$HOST/sitemap.xml\n", 'allows, names the sitemap';
	is get("nobody.$BASE", '/robots.txt')->{content}, "User-agent: *\nDisallow: /\n", 'unknown host: disallow';
	is get('127.0.0.1', '/robots.txt')->{content}, "User-agent: *\nDisallow: /\n", 'the API host: disallow';
	$r = get($HOST, '/sitemap.xml');
	is $r->{status}, 200, 'sitemap.xml 200';
	like $r->{headers}{'content-type'}, qr{^application/xml}, 'XML';
	like $r->{content}, qr{<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">}, 'a urlset';
	like $r->{content}, qr{<url><loc>http://$HOST/</loc><lastmod>\d{4}-\d\d-\d\d</lastmod></url>}, 'the page';
	is get("nobody.$BASE", '/sitemap.xml')->{status}, 404, 'unknown host: 404';
	is get('127.0.0.1', '/sitemap.xml')->{status}, 404, 'API host: 404';
};

subtest 'the widget tag names the page, never a key' => sub {
	my $html = get($HOST, '/')->{content};
	like $html, qr{<script src="/widget\.js" data-carbot-page="$page->{id}" data-theme="light" data-primary-color="\#0055aa" data-phone="\+49 30 1234567" async></script>},
		'the tag: the page, light, its colour and phone from the first paint';
	unlike $html, qr/data-client-key|cb_(prod|test)_/, 'no client key';
	# the keys plugin's table, as far as this plugin reads it
	$t->sql("CREATE TABLE client_keys (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	         user_id uuid NOT NULL, is_active boolean NOT NULL DEFAULT true, expires_at timestamptz,
	         revoked_at timestamptz)");
	$t->patch("$API/$page->{id}", headers => $h, json => {configuration => {price_range => '€€€'}});
	unlike get($HOST, '/')->{content}, qr/data-carbot-page/, 'keys installed, none active: no tag';
	$t->sql("INSERT INTO client_keys (user_id) VALUES (:'p1')", $u->{id});
	$t->patch("$API/$page->{id}", headers => $h, json => {configuration => {price_range => '€€'}});
	like get($HOST, '/')->{content}, qr/data-carbot-page="$page->{id}"/, 'an active key: the tag is back';
	$t->sql('DROP TABLE client_keys');
};

subtest 'a deleted account\'s page goes offline' => sub {
	my $v = CarBot::Landing::premium($t);
	my $p = CarBot::Landing::published($t, $v, subdomain => 'geloescht');
	is get("geloescht.$BASE", '/')->{status}, 200, 'online';
	$t->sql("UPDATE users SET deleted_at = now() WHERE id = :'p1'", $v->{id});
	sleep 1.3;
	is get("geloescht.$BASE", '/')->{status}, 404, 'offline after cache_revalidate_ms';
	is $t->get('/p/geloescht')->{status}, 404, 'at /p/ too';
};

done_testing;
