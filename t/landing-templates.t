# Every catalogue template, end to end: a real page (every section filled,
# an uploaded logo, German and English) rendered by landing through
# templates.v1 and served by Host is valid HTML (html-validate, the templates
# plugin's reference validator) with landing's parts in it exactly once.
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use Fcntl qw(:flock);
use Encode qw(decode_utf8);
use CarBot::Test;
use CarBot::Auth;
use CarBot::Landing qw(page_body);

my $t = CarBot::Landing::server();
my $API = '/api/v1/landing-pages';
my $BASE = $CarBot::Landing::BASE;
my $u = CarBot::Landing::premium($t);
my $h = bearer($u->{access});
my @templates = CarBot::Landing::templates($t, $u);
ok @templates >= 1, 'the catalogue has templates: ' . join(', ', @templates);

# html-validate from t/conformance (npm ci once, under a lock), or undef.
sub validator {
	my $dir = "$FindBin::Bin/conformance";
	return undef unless -f "$dir/validate-html.js" && `node --version 2>/dev/null` =~ /^v(\d+)/ && $1 >= 18;
	open my $lock, '>>', "$dir/.npm-lock" or return undef;
	flock $lock, LOCK_EX;
	system("cd '$dir' && npm ci --no-audit --no-fund --silent >/dev/null 2>&1")
	  unless -d "$dir/node_modules/html-validate";
	return -d "$dir/node_modules/html-validate" ? "$dir/validate-html.js" : undef;
}

my $PNG = "\x89PNG\r\n\x1a\n" . ("\0" x 64);
my %docs;

for my $tpl (@templates) {
	for my $locale (qw(de en)) {
		subtest "$tpl ($locale): a full page, served by Host" => sub {
			my $sub = "tpl-$tpl-$locale";
			$sub =~ s/[^a-z0-9-]/-/g;
			$sub = substr $sub, 0, 63;
			my $body = page_body(template_id => $tpl, subdomain => $sub);
			my $c = $body->{configuration};
			$c->{locale} = $locale;
			$c->{tagline} = 'Ihre Werkstatt in Berlin-Mitte';
			$c->{hours_note} = 'Samstags nur nach Vereinbarung';
			$c->{contact_info}{hours}{monday} = '08:00-12:30, 13:30-18:00';
			$c->{highlights} = [{title => 'Meisterbetrieb', text => 'Geprüfte Qualität'}];
			$c->{brands} = ['VW', 'Audi', 'Škoda'];
			$c->{vehicles} = [{title => 'VW Golf 8', price => '24.900 €', details => '2021 · 35.000 km',
			                   image_url => 'https://cdn.example.de/golf.jpg', image_alt => 'Blauer Golf'}];
			$c->{tires} = {season_note => 'Jetzt Wintereifen wechseln', storage_price => 'ab 59 €'};
			$c->{testimonials} = [{quote => 'Schnell & fair <3', author => 'Anna K.'}];
			$c->{imprint_url} = 'https://autohaus-muster.de/impressum';
			$c->{privacy_url} = 'https://autohaus-muster.de/datenschutz';
			my $r = $t->post($API, json => $body, headers => $h);
			is $r->{status}, 201, 'created' or return diag $r->{content};
			my $id = $r->{json}{id};
			is $t->post("$API/$id/assets?kind=logo", body => $PNG,
			            headers => {%$h, 'Content-Type' => 'image/png'})->{status}, 201, 'logo uploaded';
			is $t->post("$API/$id/publish", headers => $h)->{status}, 200, 'published';
			my $res = CarBot::Landing::host_get($t, "$sub.$BASE", '/');
			is $res->{status}, 200, 'served';
			my $html = decode_utf8($res->{content});
			$docs{"$tpl-$locale"} = $html;
			like $html, qr/^<!doctype html>/i, 'a doctype';
			like $html, qr/<html[^>]* lang="$locale"/, "lang=$locale";
			is scalar(() = $html =~ /<title>/g), 1, 'one <title>';
			is scalar(() = $html =~ /<link rel="canonical" href="http:\/\/\Q$sub.$BASE\E\/">/g), 1, 'one canonical';
			is scalar(() = $html =~ /data-carbot-seo>/g), 1, 'the SEO extras once';
			is scalar(() = $html =~ /<meta property="og:url"/g), 1, 'one og:url';
			is scalar(() = $html =~ /<meta property="og:image" content="http:\/\/\Q$sub.$BASE\E\/assets\//g), 1,
			  'og:image: the uploaded logo';
			is scalar(() = $html =~ /<script src="\/widget\.js" data-carbot-page="$id"[^>]* async><\/script>/g), 1,
			  'the widget tag once';
			my @scripts = $html =~ /<script\b[^>]*>/g;
			is scalar(grep { !/application\/ld\+json|data-carbot-page/ } @scripts), 0,
			  'no other script (the page CSP allows none)';
			my @ld = CarBot::Landing::jsonld($res->{content});
			is scalar @ld, 1, 'one JSON-LD block';
			is $ld[0]{address}{postalCode}, '10115', 'JSON-LD with the address';
			is scalar(grep { $_->{dayOfWeek} =~ /Monday/ } @{$ld[0]{openingHoursSpecification}}), 2,
			  'Monday\'s lunch break: two ranges';
			like $html, qr/Autohaus Muster/, 'the business';
			like $html, qr/Inspektion/, 'a service';
			like $html, qr/Schnell &amp; fair &lt;3/, 'user text escaped';
			unlike $html, qr{href="/impressum"}, 'the imprint link is the owner\'s';
		};
	}
}

subtest 'the pages and the 404 page are valid HTML (html-validate)' => sub {
	my $js = validator();
	plan skip_all => 'node 18+ and npm (t/conformance) are needed' unless $js;
	$docs{'not-found'} = decode_utf8(CarBot::Landing::host_get($t, "nobody.$BASE", '/')->{content});
	my $in = File::Temp->new;
	print {$in} JSON::PP->new->utf8->encode(\%docs);
	close $in;
	my $out = `node '$js' < '$in'`;
	my $res = eval { JSON::PP->new->utf8->decode($out) } or return fail("validator output: $out");
	for my $name (sort keys %docs) {
		is_deeply $res->{$name}, [], "$name is valid" or diag explain $res->{$name};
	}
};

done_testing;
