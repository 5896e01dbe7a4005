# The landing-page API: create, list, read, change, delete, publish,
# preview, and every refusal (validation details, ownership, auth, plan).
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Landing qw(page_body);

my $t = CarBot::Landing::server(landing => {max_pages => 4});
my $API = '/api/v1/landing-pages';
my $owner = CarBot::Landing::premium($t);
my ($TPL) = CarBot::Landing::templates($t, $owner);

sub issues {
	my ($r) = @_;
	return {map { $_->{field} => $_->{issue} } @{($r->{json} || {})->{error}{details} || []}};
}

sub post_page {
	my ($u, $body) = @_;
	return $t->post($API, json => $body, headers => bearer($u->{access}));
}

# A body that is valid except for what $edit does to it.
sub with {
	my ($edit) = @_;
	my $b = page_body(template_id => $TPL);
	$edit->($b);
	return $b;
}

subtest 'create answers 201 with the page, normalised' => sub {
	my $r = CarBot::Landing::create($t, $owner, subdomain => 'Autohaus-Muster');
	is $r->{status}, 201, 'status 201' or diag $r->{content};
	my $p = $r->{json};
	like $p->{id}, qr/^[0-9a-f-]{36}$/, 'a UUID';
	is $r->{headers}{location}, "$API/$p->{id}", 'Location';
	is $p->{subdomain}, 'autohaus-muster', 'subdomain lower-cased';
	is $p->{template_id}, $TPL, 'template';
	is $p->{is_published}, JSON::PP::false, 'not published';
	is $p->{configuration}{theme}{primary_color}, '#0055aa', 'colour lower-cased';
	is $p->{configuration}{business_name}, 'Autohaus Muster', 'business name';
	my $hours = $p->{configuration}{contact_info}{hours};
	is_deeply $hours->{wednesday}, {closed => JSON::PP::false, open => '08:00', close => '18:00',
	                                ranges => [{open => '08:00', close => '18:00'}]},
	  '"08:00-18:00" accepted';
	is_deeply $hours->{sunday}, {closed => JSON::PP::true, ranges => []}, 'a closed day';
	is $p->{configuration}{theme}{font_family}, 'rounded', 'font';
	is $p->{configuration}{seo}{schema_type}, 'AutoRepair', 'seo inside configuration';
	is_deeply $p->{configuration}{seo}{keywords}, ['Werkstatt', 'Berlin', 'TÜV'], 'keywords (UTF-8)';
	is $p->{urls}{local}, '/p/autohaus-muster', 'local URL';
	is $p->{urls}{canonical}, 'http://autohaus-muster.carbot.localhost/', 'canonical URL';
	my $row = $t->sql("SELECT user_id, configuration->>'business_name', seo_settings->>'meta_title'
	                   FROM landing_pages WHERE id = :'p1'", $p->{id})->[0];
	is_deeply $row, [$owner->{id}, 'Autohaus Muster', 'Autohaus Muster – Ihre Werkstatt in Berlin'],
	  'stored for the owner';
};

subtest 'unknown members are dropped, defaults filled in' => sub {
	my $r = post_page($owner, {template_id => $TPL, subdomain => CarBot::Landing::subdomain(),
	                           configuration => {business_name => 'Minimal', evil => '<script>',
	                                             theme => {extra => 1}}});
	is $r->{status}, 201, 'status 201' or diag $r->{content};
	my $c = $r->{json}{configuration};
	ok !exists $c->{evil}, 'unknown member not stored';
	is_deeply [sort keys %{$c->{theme}}], [qw(font_family primary_color secondary_color)], 'theme defaults';
	is $c->{locale}, 'de', 'locale defaults to de';
	is $c->{seo}{schema_type}, 'AutoRepair', 'schema_type defaults to AutoRepair';
	$t->del("$API/$r->{json}{id}", headers => bearer($owner->{access}));
};

subtest 'opening hours: ranges, lunch breaks, short day names' => sub {
	my $r = post_page($owner, with(sub {
		$_[0]{configuration}{contact_info}{hours} = {
			mon => '08:00-12:30, 13:30-18:00',
			tuesday => [{open => '07:30', close => '12:00'}, {open => '13:00', close => '17:00'}],
			wednesday => {ranges => [{open => '08:00', close => '24:00'}]},
			thu => 'closed', fri => undef };
	}));
	is $r->{status}, 201, 'status 201' or diag $r->{content};
	my $h = $r->{json}{configuration}{contact_info}{hours};
	is_deeply [map { "$_->{open}-$_->{close}" } @{$h->{monday}{ranges}}], ['08:00-12:30', '13:30-18:00'], 'text';
	is_deeply [map { "$_->{open}-$_->{close}" } @{$h->{tuesday}{ranges}}], ['07:30-12:00', '13:00-17:00'], 'array';
	is $h->{wednesday}{ranges}[0]{close}, '24:00', '24:00 closes';
	is "$h->{monday}{open}-$h->{monday}{close}", '08:00-18:00', 'open/close span the day';
	ok $h->{$_}{closed}, "$_ closed" for qw(thursday friday saturday sunday);
	$t->del("$API/$r->{json}{id}", headers => bearer($owner->{access}));
	for my $bad ('08:00-12:30, 12:00-18:00', '08:00-12:00 13:00-18:00', '8:00-12:00',
	             [map { {open => sprintf('%02d:00', $_), close => sprintf('%02d:30', $_)} } 1 .. 5]) {
		$r = post_page($owner, with(sub { $_[0]{configuration}{contact_info}{hours} = {monday => $bad} }));
		is issues($r)->{'configuration.contact_info.hours.monday'}, 'invalid',
		  'refused: ' . (ref $bad ? '5 ranges' : $bad);
	}
};

subtest 'the templates\' optional sections are checked and kept' => sub {
	my $r = post_page($owner, with(sub {
		my $c = $_[0]{configuration};
		$c->{tagline} = 'Ihre Werkstatt in Mitte';
		$c->{highlights} = [{title => 'Meisterbetrieb', text => 'seit 1990'}];
		$c->{brands} = ['VW', 'Škoda'];
		$c->{vehicles} = [{title => 'VW Golf', price => '24.900 €', details => '2021',
		                   image_url => 'https://cdn.example.de/golf.jpg', image_alt => 'Golf'}];
		$c->{tires} = {season_note => 'Winterreifen', storage_price => '59 €'};
		$c->{testimonials} = [{quote => 'Schnell und fair.', author => 'Anna K.'}];
		$c->{services}[0]{duration} = 'ca. 2 h';
		$c->{hours_note} = 'Samstags nach Vereinbarung';
	}));
	is $r->{status}, 201, 'status 201' or diag $r->{content};
	my $c = $r->{json}{configuration};
	is $c->{tagline}, 'Ihre Werkstatt in Mitte', 'tagline';
	is_deeply $c->{brands}, ['VW', 'Škoda'], 'brands';
	is $c->{vehicles}[0]{image_url}, 'https://cdn.example.de/golf.jpg', 'vehicle';
	is $c->{tires}{storage_price}, '59 €', 'tires';
	is $c->{testimonials}[0]{author}, 'Anna K.', 'testimonials';
	is $c->{services}[0]{duration}, 'ca. 2 h', 'service duration';
	$t->del("$API/$r->{json}{id}", headers => bearer($owner->{access}));
	$r = post_page($owner, with(sub {
		my $c = $_[0]{configuration};
		$c->{brands} = ['', 'x' x 41, 7];
		$c->{vehicles} = [{price => '1 €', image_url => 'javascript:alert(1)'}];
		$c->{testimonials} = ['text'];
		$c->{highlights} = [map { {title => "h$_"} } 1 .. 13];
	}));
	is_deeply issues($r), {'configuration.brands[0]' => 'too_short', 'configuration.brands[1]' => 'too_long',
	                       'configuration.brands[2]' => 'type', 'configuration.vehicles[0].title' => 'missing',
	                       'configuration.vehicles[0].image_url' => 'invalid',
	                       'configuration.testimonials[0]' => 'type', 'configuration.highlights' => 'too_long'},
	  'each problem named';
};

subtest 'CarDealer is taken as schema.org AutoDealer' => sub {
	my $r = post_page($owner, with(sub { $_[0]{configuration}{seo}{schema_type} = 'CarDealer' }));
	is $r->{status}, 201, 'status 201';
	is $r->{json}{configuration}{seo}{schema_type}, 'AutoDealer', 'stored as AutoDealer';
	$t->del("$API/$r->{json}{id}", headers => bearer($owner->{access}));
};

subtest 'missing fields are all listed' => sub {
	my $r = post_page($owner, {});
	is $r->{status}, 400, 'status 400';
	is $r->{json}{error}{code}, 'validation_failed', 'code';
	is_deeply issues($r), {template_id => 'missing', subdomain => 'missing', configuration => 'missing'},
	  'details name each field';
	$r = post_page($owner, with(sub { delete $_[0]{configuration}{business_name} }));
	is_deeply issues($r), {'configuration.business_name' => 'missing'}, 'nested path';
};

subtest 'wrong types are refused' => sub {
	my $r = post_page($owner, {template_id => 7, subdomain => ['x'], configuration => 'text'});
	is $r->{status}, 400, 'status 400';
	is_deeply issues($r), {template_id => 'type', subdomain => 'type', configuration => 'type'}, 'type issues';
	$r = post_page($owner, with(sub {
		my $c = $_[0]{configuration};
		$c->{contact_info}{location} = {lat => '52', lng => 13};
		$c->{services} = 'all';
		$c->{seo}{keywords} = 'a, b';
		$c->{theme} = [];
		$c->{contact_info}{hours}{monday} = 8;
	}));
	is_deeply issues($r), {'configuration.contact_info.location.lat' => 'type',
	                       'configuration.services' => 'type', 'configuration.seo.keywords' => 'type',
	                       'configuration.theme' => 'type',
	                       'configuration.contact_info.hours.monday' => 'type'}, 'nested type issues';
	$r = $t->post($API, body => 'not json', headers => {%{bearer($owner->{access})},
	                                                    'Content-Type' => 'application/json'});
	is $r->{status}, 400, 'malformed JSON: 400';
	$r = $t->post($API, body => '[]', headers => {%{bearer($owner->{access})},
	                                              'Content-Type' => 'application/json'});
	is $r->{status}, 400, 'a JSON array: 400';
	$r = $t->post($API, body => 'a=b', headers => {%{bearer($owner->{access})},
	                                               'Content-Type' => 'application/x-www-form-urlencoded'});
	is $r->{status}, 415, 'a form: 415';
};

subtest 'subdomains: DNS labels, 3-63 characters, not reserved' => sub {
	for my $bad ('ab', '-shop', 'shop-', 'sh_op', 'shöp', 'a.b.c', 'x' x 64, 'shop space') {
		my $r = post_page($owner, with(sub { $_[0]{subdomain} = $bad }));
		is $r->{status}, 400, "'$bad' refused";
		like issues($r)->{subdomain} // '', qr/^(invalid|too_short|too_long)$/, '... on subdomain';
	}
	for my $reserved (qw(www api admin app mail login)) {
		my $r = post_page($owner, with(sub { $_[0]{subdomain} = $reserved }));
		is issues($r)->{subdomain}, 'invalid', "'$reserved' is reserved";
		like $r->{json}{error}{details}[0]{message}, qr/reserved/, '... says so';
	}
	my $r = post_page($owner, with(sub { $_[0]{subdomain} = 'a' . ('b' x 61) . 'c' }));
	is $r->{status}, 201, '63 characters are fine';
	$t->del("$API/$r->{json}{id}", headers => bearer($owner->{access}));
};

subtest 'a taken subdomain is 409, whoever has it' => sub {
	my $sub = CarBot::Landing::subdomain();
	is CarBot::Landing::create($t, $owner, subdomain => $sub)->{status}, 201, 'first';
	my $other = CarBot::Landing::premium($t);
	my $r = CarBot::Landing::create($t, $other, subdomain => uc $sub);
	is $r->{status}, 409, 'second (in another case): 409';
	is $r->{json}{error}{code}, 'subdomain_taken', 'code subdomain_taken';
};

subtest 'every field is checked' => sub {
	my %cases = (
		'configuration.theme.primary_color' => sub { $_[0]{theme}{primary_color} = 'red' },
		'configuration.theme.secondary_color' => sub { $_[0]{theme}{secondary_color} = '#12345' },
		'configuration.theme.font_family' => sub { $_[0]{theme}{font_family} = 'Arial; } body { x' },
		'configuration.tagline' => sub { $_[0]{tagline} = 't' x 161 },
		'configuration.theme.logo_url' => sub { $_[0]{theme}{logo_url} = 'javascript:alert(1)' },
		'configuration.theme.favicon_url' => sub { $_[0]{theme}{favicon_url} = 'ftp://x.de/f.ico' },
		'configuration.contact_info.email' => sub { $_[0]{contact_info}{email} = 'not-an-address' },
		'configuration.contact_info.phone' => sub { $_[0]{contact_info}{phone} = 'call me' },
		'configuration.contact_info.map_url' => sub { $_[0]{contact_info}{map_url} = 'data:text/html,x' },
		'configuration.contact_info.location.lat' => sub { $_[0]{contact_info}{location}{lat} = 90.5 },
		'configuration.contact_info.location.lng' => sub { $_[0]{contact_info}{location}{lng} = -181 },
		'configuration.contact_info.hours.monday' => sub { $_[0]{contact_info}{hours}{monday} = {open => '25:00', close => '26:00'} },
		'configuration.contact_info.hours.saturday' => sub { $_[0]{contact_info}{hours}{saturday} = 'sometimes' },
		'configuration.contact_info.hours.tuesday' => sub { $_[0]{contact_info}{hours}{tuesday} = {open => '18:00', close => '08:00'} },
		'configuration.contact_info.hours.funday' => sub { $_[0]{contact_info}{hours}{funday} = '08:00-12:00' },
		'configuration.locale' => sub { $_[0]{locale} = 'fr' },
		'configuration.business_name' => sub { $_[0]{business_name} = 'x' x 121 },
		'configuration.business_description' => sub { $_[0]{business_description} = 'y' x 2001 },
		'configuration.imprint_url' => sub { $_[0]{imprint_url} = 'javascript:void(0)' },
		'configuration.services[0].name' => sub { $_[0]{services}[0]{name} = '' },
		'configuration.seo.schema_type' => sub { $_[0]{seo}{schema_type} = 'Restaurant' },
		'configuration.seo.meta_title' => sub { $_[0]{seo}{meta_title} = "two\nlines" },
		'configuration.seo.keywords[1]' => sub { $_[0]{seo}{keywords}[1] = 'k' x 51 },
		'configuration.seo.meta_description' => sub { $_[0]{seo}{meta_description} = 'd' x 321 },
	);
	for my $field (sort keys %cases) {
		my $r = post_page($owner, with(sub { $cases{$field}->($_[0]{configuration}) }));
		is $r->{status}, 400, "$field: 400";
		ok exists issues($r)->{$field}, "... detail names $field" or diag $r->{content};
	}
	my $r = post_page($owner, with(sub {
		$_[0]{configuration}{contact_info}{location} = {lat => -90, lng => 180};
		$_[0]{configuration}{contact_info}{hours}{friday} = {open => '00:00', close => '24:00'};
	}));
	is $r->{status}, 201, 'the limits themselves are fine' or diag $r->{content};
	$t->del("$API/$r->{json}{id}", headers => bearer($owner->{access}));
};

subtest 'an unknown template is a field error' => sub {
	my $r = post_page($owner, with(sub { $_[0]{template_id} = 'no-such-template' }));
	is $r->{status}, 400, 'status 400';
	is issues($r)->{template_id}, 'invalid', 'on template_id';
};

subtest 'an oversize body is 413' => sub {
	my $r = post_page($owner, with(sub { $_[0]{configuration}{business_description} = 'z' x (1100 * 1024) }));
	is $r->{status}, 413, 'status 413';
};

subtest 'list and read show only the caller\'s pages' => sub {
	my $a = CarBot::Landing::premium($t);
	my $b = CarBot::Landing::premium($t);
	my $pa = CarBot::Landing::create($t, $a)->{json};
	my $pb = CarBot::Landing::create($t, $b)->{json};
	my $l = $t->get($API, headers => bearer($a->{access}));
	is $l->{status}, 200, 'list 200';
	is_deeply [map { $_->{id} } @{$l->{json}{landing_pages}}], [$pa->{id}], 'only their own';
	is $t->get("$API/$pa->{id}", headers => bearer($a->{access}))->{json}{id}, $pa->{id}, 'read own';
	for my $try (['GET', ''], ['PATCH', '', {configuration => {business_name => 'Mine now'}}],
	             ['DELETE', ''], ['POST', '/publish'], ['POST', '/unpublish'], ['GET', '/preview'],
	             ['POST', '/domain', {domain => 'example.de'}], ['GET', '/domain']) {
		my ($m, $suffix, $json) = @$try;
		my $r = $t->req($m, "$API/$pa->{id}$suffix", headers => bearer($b->{access}),
		                $json ? (json => $json) : ());
		is $r->{status}, 404, "$m $suffix of another user's page: 404";
		is $r->{json}{error}{code}, 'not_found', '... not_found';
	}
	is $t->get("$API/not-a-uuid", headers => bearer($a->{access}))->{status}, 404, 'malformed id: 404';
	is $t->get("$API/00000000-0000-0000-0000-000000000000", headers => bearer($a->{access}))->{status},
	  404, 'unknown id: 404';
	my ($name) = @{$t->sql("SELECT configuration->>'business_name' FROM landing_pages WHERE id = :'p1'",
	                       $pa->{id})->[0]};
	is $name, 'Autohaus Muster', 'the other user changed nothing';
};

subtest 'PATCH merges, checks the whole and bumps the version' => sub {
	my $p = CarBot::Landing::create($t, $owner)->{json};
	my $h = bearer($owner->{access});
	my $r = $t->patch("$API/$p->{id}", headers => $h,
	                  json => {configuration => {theme => {primary_color => '#112233'},
	                                             business_description => undef},
	                           seo => {meta_title => 'Neu'}});
	is $r->{status}, 200, 'status 200' or diag $r->{content};
	my $c = $r->{json}{configuration};
	is $c->{theme}{primary_color}, '#112233', 'changed colour';
	is $c->{theme}{secondary_color}, '#ffcc00', 'the other colour kept (merged)';
	ok !exists $c->{business_description}, 'null clears a field';
	is $c->{contact_info}{phone}, '+49 30 1234567', 'untouched parts kept';
	is $c->{seo}{meta_title}, 'Neu', 'seo changed';
	is_deeply $c->{seo}{keywords}, ['Werkstatt', 'Berlin', 'TÜV'], 'seo merged';
	is $r->{json}{render_version}, $p->{render_version} + 1, 'render_version + 1';
	$r = $t->patch("$API/$p->{id}", headers => $h,
	               json => {configuration => {seo => {schema_type => 'LocalBusiness'}}});
	is $r->{json}{configuration}{seo}{schema_type}, 'LocalBusiness', 'configuration.seo works too';
	$r = $t->patch("$API/$p->{id}", headers => $h,
	               json => {configuration => {theme => {primary_color => 'blue'}}, template_id => 'nope',
	                        subdomain => 'other'});
	is $r->{status}, 400, 'invalid patch: 400';
	is_deeply issues($r), {'configuration.theme.primary_color' => 'invalid', template_id => 'invalid',
	                       subdomain => 'invalid'}, 'all problems named';
	is $t->get("$API/$p->{id}", headers => $h)->{json}{configuration}{theme}{primary_color}, '#112233',
	  'a refused patch changes nothing';
};

subtest 'DELETE removes the page' => sub {
	my $p = CarBot::Landing::create($t, $owner)->{json};
	my $r = $t->del("$API/$p->{id}", headers => bearer($owner->{access}));
	is $r->{status}, 204, 'status 204';
	is $t->get("$API/$p->{id}", headers => bearer($owner->{access}))->{status}, 404, 'gone';
	is $t->del("$API/$p->{id}", headers => bearer($owner->{access}))->{status}, 404, 'second delete: 404';
};

subtest 'publish, unpublish and preview' => sub {
	my $p = CarBot::Landing::create($t, $owner)->{json};
	my $h = bearer($owner->{access});
	my $pv = $t->get("$API/$p->{id}/preview", headers => $h);
	is $pv->{status}, 200, 'preview of an unpublished page: 200';
	like $pv->{headers}{'content-type'}, qr{^text/html}, 'HTML';
	is $pv->{headers}{'cache-control'}, 'private, no-store', 'not cached';
	like $pv->{content}, qr/<meta name="robots" content="noindex[^"]*">/, 'noindex';
	is $pv->{headers}{'x-robots-tag'}, 'noindex', 'X-Robots-Tag: noindex';
	like $pv->{content}, qr/Autohaus Muster/, 'the business';
	my $r = $t->post("$API/$p->{id}/publish", headers => $h);
	is $r->{status}, 200, 'publish 200';
	is $r->{json}{is_published}, JSON::PP::true, 'published';
	like $r->{json}{published_at}, qr/^\d{4}-\d\d-\d\dT/, 'published_at';
	$r = $t->post("$API/$p->{id}/unpublish", headers => $h);
	is $r->{json}{is_published}, JSON::PP::false, 'unpublished';
	$t->sql("UPDATE templates SET is_active = false WHERE id = :'p1'", $TPL);
	$r = $t->post("$API/$p->{id}/publish", headers => $h);
	$t->sql("UPDATE templates SET is_active = true WHERE id = :'p1'", $TPL);
	is $r->{status}, 422, 'a page whose template is withdrawn is not published';
	is $r->{json}{error}{code}, 'render_failed', 'render_failed';
	my ($pub) = @{$t->sql("SELECT is_published FROM landing_pages WHERE id = :'p1'", $p->{id})->[0]};
	is $pub, 'f', 'still unpublished';
};

subtest 'tokens and plans' => sub {
	my $owner = CarBot::Landing::premium($t);
	my $p = CarBot::Landing::create($t, $owner)->{json};
	is $t->get($API)->{status}, 401, 'no token: 401';
	my $now = time;
	my $expired = jwt({alg => 'HS256', typ => 'JWT'},
	                  CarBot::Auth::claims($owner->{id}, $owner->{email}, iat => $now - 1000,
	                                       exp => $now - 100), $CarBot::Auth::SECRET);
	is $t->get($API, headers => bearer($expired))->{status}, 401, 'expired token: 401';
	my $tampered = $owner->{access};
	substr($tampered, -3, 1) = substr($tampered, -3, 1) eq 'A' ? 'B' : 'A';
	is $t->get($API, headers => bearer($tampered))->{status}, 401, 'tampered token: 401';
	my $forged = jwt({alg => 'HS256'}, CarBot::Auth::claims($owner->{id}, $owner->{email}), 'wrong' x 10);
	is $t->get("$API/$p->{id}", headers => bearer($forged))->{status}, 401, 'wrong key: 401';

	my $basic = CarBot::Landing::premium($t, 'basic');
	my $r = CarBot::Landing::create($t, $basic);
	is $r->{status}, 403, 'basic tier: 403';
	is $r->{json}{error}{code}, 'forbidden', 'forbidden';
	is $t->get($API, headers => bearer($basic->{access}))->{status}, 403, 'basic cannot list either';
	my $ent = CarBot::Landing::premium($t, 'enterprise');
	is CarBot::Landing::create($t, $ent)->{status}, 201, 'enterprise may';
};

subtest 'at most max_pages pages per user' => sub {
	my $u = CarBot::Landing::premium($t);
	is CarBot::Landing::create($t, $u)->{status}, 201, "page $_" for 1 .. 4;
	my $r = CarBot::Landing::create($t, $u);
	is $r->{status}, 409, 'one more: 409';
	is $r->{json}{error}{code}, 'page_limit_reached', 'page_limit_reached';
};

done_testing;
