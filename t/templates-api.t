#!/usr/bin/perl
# The catalogue endpoints (list with filters, one template, HTML preview, SVG
# thumbnail) and the templates.v1 service the landing plugin calls:
# render_page's page context, exists, sample_context, and the compiled-
# template cache following updates of the row.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use CarBot::Test;
use POSIX ();

my $t = CarBot::Test->new(plugins => ['templates'], test_plugins => ['hbsprobe']);
my @ids = qw(modern-minimalist classic-workshop dealer-showroom tire-and-service);
my $csp = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'";

sub ids_of { [map { $_->{id} } @{$_[0]{json}{templates} || []}] }

# ---- GET /api/v1/templates

my $r = $t->get('/api/v1/templates');
is $r->{status}, 200, 'the list is public';
is_deeply ids_of($r), \@ids, 'four templates, in catalogue order';
for my $tpl (@{$r->{json}{templates}}) {
	is_deeply [sort keys %$tpl], [qw(category description features id name preview_image_url)],
	          "$tpl->{id} has the spec's ListTemplatesResponse fields";
	ok @{$tpl->{features}} >= 3 && !grep({ ref } @{$tpl->{features}}), "$tpl->{id} lists features";
	is $tpl->{preview_image_url}, "/api/v1/templates/$tpl->{id}/preview.svg",
	   "$tpl->{id} points to its thumbnail";
}

is_deeply ids_of($t->get('/api/v1/templates?category=workshop')), [qw(modern-minimalist classic-workshop)],
          'category filter';
is_deeply ids_of($t->get('/api/v1/templates?category=Dealer')), ['dealer-showroom'],
          'category filter ignores case';
is_deeply ids_of($t->get('/api/v1/templates?category=boats')), [], 'an unknown category lists none';
is_deeply ids_of($t->get('/api/v1/templates?q=showroom')), ['dealer-showroom'], 'q searches names';
is_deeply ids_of($t->get('/api/v1/templates?q=family%20businesses')), ['classic-workshop'],
          'q searches descriptions';
is_deeply ids_of($t->get('/api/v1/templates?q=TIRE')), ['tire-and-service'], 'q ignores case';
is_deeply ids_of($t->get('/api/v1/templates?q=%25')), [], 'q takes % literally';
is_deeply ids_of($t->get('/api/v1/templates?category=workshop&q=serif')), ['classic-workshop'],
          'category and q together';
is_deeply ids_of($t->get('/api/v1/templates?q=')), \@ids, 'an empty q lists all';
$r = $t->get('/api/v1/templates?q=' . ('x' x 300));
is $r->{status}, 400, 'a q of 300 characters is refused';
is $r->{json}{error}{code}, 'validation_failed', '... with the one validation shape';
is $r->{json}{error}{details}[0]{field}, 'q', '... naming q';
like $r->{json}{error}{details}[0]{message}, qr/at most 200 characters/, '... in characters';
is $t->get('/api/v1/templates?q=' . ('%C3%A4' x 200))->{status}, 200, '200 two-byte characters fit';

# ---- GET /api/v1/templates/{id}

$r = $t->get('/api/v1/templates/classic-workshop');
is $r->{status}, 200, 'one template';
my $one = $r->{json}{template};
is $one->{name}, 'Classic Workshop', 'its name';
is_deeply $one->{locales}, [qw(de en)], 'its locales';
like $one->{theme}{primary_color}, qr/^#[0-9a-f]{6}$/, 'its default theme';
ok scalar @{$one->{sections}}, 'its sections';
is $one->{preview_url}, '/api/v1/templates/classic-workshop/preview', 'its preview';
like $one->{updated_at}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'when it changed';

for my $path ('/api/v1/templates/nope', '/api/v1/templates/nope/preview',
              '/api/v1/templates/nope/preview.svg') {
	$r = $t->get($path);
	is $r->{status}, 404, "GET $path is 404";
	is $r->{json}{error}{code}, 'not_found', '... not_found';
}

# ---- GET /api/v1/templates/{id}/preview

for my $id (@ids) {
	$r = $t->get("/api/v1/templates/$id/preview");
	is $r->{status}, 200, "$id preview";
	is $r->{headers}{'content-type'}, 'text/html; charset=utf-8', '... is HTML';
	is $r->{headers}{'content-security-policy'}, $csp, '... under a strict CSP with inline styles only';
	is $r->{headers}{'x-frame-options'}, 'SAMEORIGIN', '... that the dashboard may frame';
	like $r->{content}, qr/^<!DOCTYPE html>\n<html lang="de">/, '... German by default';
	like $r->{content}, qr/Vorschau mit Beispieldaten/, '... marked as a preview';
	like $r->{content}, qr/<meta name="robots" content="noindex">/, '... and not indexed';
	$r = $t->get("/api/v1/templates/$id/preview?locale=en");
	like $r->{content}, qr/<html lang="en">.*Opening hours/s, '... and in English with ?locale=en';

	$r = $t->get("/api/v1/templates/$id/preview.svg");
	is $r->{status}, 200, "$id thumbnail";
	is $r->{headers}{'content-type'}, 'image/svg+xml; charset=utf-8', '... is SVG';
	like $r->{content}, qr{^<svg xmlns="http://www.w3.org/2000/svg" .*</svg>\n\z}s, '... one svg element';
	unlike $r->{content}, qr/href|<image|url\(/, '... that loads nothing';
}
$r = $t->req('HEAD', '/api/v1/templates/modern-minimalist/preview');
is $r->{status}, 200, 'HEAD of a preview';
is length($r->{content} // ''), 0, '... has no body';

# ---- templates.v1: exists, sample_context

$r = $t->get('/test/hbs/info/dealer-showroom');
ok $r->{json}{exists}, 'exists: a catalogue template';
is $r->{json}{sample}{business_name}, 'Autohaus Rheinblick', 'sample_context: its sample page';
$r = $t->get('/test/hbs/info/nope');
ok !$r->{json}{exists}, 'exists: an unknown id is not';
is $r->{json}{sample}, undef, 'sample_context: none for an unknown id';

# ---- templates.v1: render_page and the page context

sub page {
	my ($id, $ctx) = @_;
	return $t->post('/test/hbs/page', json => {id => $id, context => $ctx});
}

$r = page('modern-minimalist', {business_name => 'Minimal GmbH'});
is $r->{status}, 200, 'render_page with only a business name';
like $r->{content}, qr/<html lang="de">.*<h1 id="hero-title">Minimal GmbH<\/h1>/s, '... renders it';
like $r->{content}, qr/--primary:#1d4ed8;--on-primary:#ffffff;/, '... in the default theme';
like $r->{content}, qr/href="\/impressum">Impressum<.*href="\/datenschutz">Datenschutz</s,
     '... with Impressum and Datenschutz links';
my $year = (POSIX::strftime('%Y', gmtime));
like $r->{content}, qr/© $year Minimal GmbH/, '... and this year';

$r = page('modern-minimalist', {business_name => 'X', locale => 'en-GB'});
like $r->{content}, qr/<html lang="en">.*Skip to content/s, 'locale en-GB gets the English strings';
$r = page('modern-minimalist', {business_name => 'X', locale => 'fr'});
like $r->{content}, qr/<html lang="de">.*Zum Inhalt springen/s, 'an unknown locale gets German';
$r = page('modern-minimalist', {business_name => 'X', t => {skip_to_content => 'Eigener Text'}});
like $r->{content}, qr/Eigener Text/, 'a t given by the caller wins';

$r = page('classic-workshop', {business_name => 'X',
                               theme => {primary_color => 'red;}</style><script>alert(1)</script>',
                                         secondary_color => '#ABC', font_family => 'comic'}});
like $r->{content}, qr/--primary:#9b2c1f;/, 'a colour that is not #hex falls back to the default';
like $r->{content}, qr/--secondary:#ABC;--on-secondary:#111827;/,
     'a valid colour is kept, with a readable text colour on it';
unlike $r->{content}, qr/<script>alert/, '... and nothing leaks out of the style element';
like $r->{content}, qr/--font:system-ui,/, 'an unknown font family becomes the system font stack';

$r = page('dealer-showroom', {business_name => 'X', theme => {primary_color => '#0b1f4d'}});
like $r->{content}, qr/--primary:#0b1f4d;--on-primary:#ffffff;/, 'white text on a dark primary';

$r = page('modern-minimalist', {
	business_name => 'X',
	contact_info => {phone => '+49 (0)30 12-34 56', address => "Hauptstr. 1\n10115 Berlin",
	                 map_url => 'javascript:alert(1)'},
	theme => {logo_url => ' javascript:alert(2)'},
	legal => {imprint_url => '//evil.example/impressum', privacy_url => '/privacy'},
	vehicles => [{image_url => "/\\evil.example/x.png"}],
});
like $r->{content}, qr/href="tel:\+4903012 ?3456"|href="tel:\+490301234 ?56"/, 'tel: links get + and digits only';
like $r->{content}, qr{href="https://www\.openstreetmap\.org/search\?query&#x3D;Hauptstr\.%201%0A10115%20Berlin"},
     'without a location the map link searches the address';
unlike $r->{content}, qr/javascript:|evil\.example/, 'unsafe *_url values are dropped';
like $r->{content}, qr{href="/impressum">}, '... and the Impressum link falls back to /impressum';
like $r->{content}, qr{href="/privacy">}, '... while a safe path is kept';

$r = page('tire-and-service', {business_name => 'X', contact_info => {location => {lat => 51.3, lng => 12.4}},
                               hours => {open_now => JSON::PP::true, closes_at => '18:00',
                                         days => [{day => 'mon', today => JSON::PP::true,
                                                   ranges => [{open => '08:00', close => '18:00'}]}]}});
like $r->{content}, qr{openstreetmap\.org/\?mlat&#x3D;51\.300000&amp;mlon&#x3D;12\.400000},
     'with a location the map link points at it';
like $r->{content}, qr/Jetzt geöffnet · bis 18:00/, 'the open-now badge';
like $r->{content}, qr/<tr class="today">\s*<th scope="row">Montag <span class="today-label">\(heute\)/,
     'today is marked in the hours table';

$r = page('modern-minimalist', {business_name => 'X', chat => {disabled => JSON::PP::true},
                                contact_info => {phone => '0301'}});
unlike $r->{content}, qr/data-carbot-open/, 'chat.disabled hides the chat button ...';
like $r->{content}, qr/<a class="btn btn-primary" href="tel:0301">Jetzt anrufen</, '... for a call link';
$r = page('modern-minimalist', {business_name => 'X'});
like $r->{content}, qr/<button type="button" class="btn btn-primary" data-carbot-open>Termin anfragen<\/button>/,
     'the appointment button opens the chat widget';

$r = page('dealer-showroom', {
	business_name => 'X',
	seo => {head_html => '<meta name="generator" content="CarBot" data-carbot-seo>'},
	chat => {tag_html => '<script src="/widget.js" data-carbot-page="p1" async></script>'},
	hours => {known => JSON::PP::false, open_now => JSON::PP::false, days => []},
});
like $r->{content}, qr{<meta name="generator" content="CarBot" data-carbot-seo>\n.*</head>}s,
     "landing's seo.head_html goes into the head, as it is";
like $r->{content}, qr{<script src="/widget\.js" data-carbot-page="p1" async></script>\n</body>},
     "landing's chat.tag_html goes before </body>";
unlike $r->{content}, qr/class="badge badge-|id="hours"/, 'no hours known: no badge and no hours section';

$r = page('nope', {business_name => 'X'});
is $r->{status}, 422, 'render_page of an unknown template fails';
like $r->{json}{error}{message}, qr/unknown template nope/, '... saying so';
$r = page('modern-minimalist', undef);
is $r->{status}, 200, 'render_page with no context at all still renders';

# ---- the cache follows the row

$r = page('modern-minimalist', {business_name => 'Vorher'});
like $r->{content}, qr/Vorher/, 'rendered (and cached)';
$t->sql(q{UPDATE templates SET template_data = jsonb_set(template_data, '{main}', '"neu: {{business_name}} {{> hours-table}}|"')
          WHERE id = 'modern-minimalist'});
$r = page('modern-minimalist', {business_name => 'Nachher'});
is $r->{content}, 'neu: Nachher |', 'an updated template is recompiled';
$t->sql(q{UPDATE templates SET template_data = jsonb_set(template_data, '{main}', '"a\n {{#if x}}"')
          WHERE id = 'modern-minimalist'});
$r = page('modern-minimalist', {});
is $r->{status}, 422, 'a template with a syntax error does not render';
is $r->{json}{error}{message}, 'template modern-minimalist: line 2, column 2: {{#if}} is not closed',
   '... and says where';
$t->sql(q{UPDATE templates SET template_data = jsonb_set(template_data, '{partials,hours-table}', '"{{/oops}}"')
          WHERE id = 'classic-workshop'});
$r = page('classic-workshop', {});
like $r->{json}{error}{message}, qr/^template classic-workshop, partial hours-table: line 1, column 1: /,
     '... nor one whose partial has one';
$t->sql(q{UPDATE templates SET is_active = false WHERE id = 'tire-and-service'});
is_deeply ids_of($t->get('/api/v1/templates')), [qw(modern-minimalist classic-workshop dealer-showroom)],
          'an inactive template leaves the list';
is $t->get('/api/v1/templates/tire-and-service/preview')->{status}, 404, '... and has no preview';
ok !$t->get('/test/hbs/info/tire-and-service')->{json}{exists}, '... and does not exist for landing';

# ---- many threads at once

my @kids;
for my $k (1 .. 6) {
	my $pid = fork // die "fork: $!";
	if (!$pid) {
		my $http = HTTP::Tiny->new(keep_alive => 0, timeout => 30);
		my $bad = 0;
		for my $i (1 .. 15) {
			my $id = $ids[($k + $i) % 3];
			my $res = $http->get($t->url("/api/v1/templates/$id/preview.svg"));
			$res = $http->get($t->url("/api/v1/templates/dealer-showroom/preview")) if $i % 2;
			$bad++ unless $res->{status} == 200;
		}
		POSIX::_exit($bad ? 1 : 0);
	}
	push @kids, $pid;
}
my $failed = 0;
for (@kids) { waitpid $_, 0; $failed++ if $? }
is $failed, 0, 'concurrent previews all succeed';

done_testing;
