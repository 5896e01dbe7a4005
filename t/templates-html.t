#!/usr/bin/perl
# Every catalogue template, in German and English, with its full sample
# context and with a minimal one (only business_name), is valid HTML by
# html-validate's recommended rules (parse errors, content model, duplicate
# ids, accessibility rules), has the landmarks, skip link and legal links a
# page needs, makes no external requests, and keeps XSS payloads in any data
# field as text.
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use CarBot::Test;
use JSON::PP;
use File::Temp ();

my $root = $CarBot::Test::ROOT;
my $conf = "$root/t/conformance";
my $json = JSON::PP->new->utf8->canonical;
ok(system("$conf/setup.sh") == 0, 'node and the pinned npm packages are installed')
  or BAIL_OUT('node/npm missing: HTML cannot be validated');

my $t = CarBot::Test->new(plugins => ['templates'], test_plugins => ['hbsprobe']);
my @ids = qw(modern-minimalist classic-workshop dealer-showroom tire-and-service);

sub page {
	my ($id, $ctx) = @_;
	my $r = $t->post('/test/hbs/page', json => {id => $id, context => $ctx});
	is $r->{status}, 200, "$id renders" or diag $r->{content};
	return $r->{content} // '';
}

# Every string of a context replaced by what f returns for (key, value).
sub map_strings {
	my ($v, $f, $key) = @_;
	return {map { $_ => map_strings($v->{$_}, $f, $_) } keys %$v} if ref $v eq 'HASH';
	return [map { map_strings($_, $f, $key) } @$v] if ref $v eq 'ARRAY';
	return defined $v && !ref $v && $v !~ /^-?\d+(\.\d+)?$/ ? $f->($key // '', $v) : $v;
}

my $xss = q{"><script>alert('x')</script><img src=x onerror=alert(1)>'`={{x}}};
my %docs;
for my $id (@ids) {
	my $sample = $t->get("/test/hbs/info/$id")->{json}{sample};
	ok $sample && $sample->{business_name}, "$id has a sample context";
	for my $locale (qw(de en)) {
		$docs{"$id full $locale"} = page($id, {%$sample, locale => $locale});
		$docs{"$id minimal $locale"} = page($id, {business_name => 'Muster', locale => $locale});
	}
	my $evil = map_strings($sample, sub {
		my ($key, $v) = @_;
		return $key =~ /_url$/ ? 'javascript:alert(1)' : $v . $xss;
	});
	delete $evil->{seo}{json_ld}; # raw by contract: landing passes cb_json_dump's output
	$docs{"$id xss"} = page($id, $evil);
}

# ---- valid HTML

my $in = File::Temp->new;
binmode $in;
print {$in} $json->encode(\%docs);
close $in;
my $report = eval { $json->decode(scalar `node $conf/validate-html.js < $in`) } || {};
for my $name (sort keys %docs) {
	is_deeply $report->{$name}, [], "$name: valid HTML (html-validate)"
	  or diag join "\n", @{$report->{$name} || ['no report']};
}

# ---- structure, accessibility, no external requests

for my $name (sort keys %docs) {
	my $html = $docs{$name};
	my ($lang) = $name =~ /(de|en)$/;
	subtest "$name: page structure" => sub {
		like $html, qr/^<!DOCTYPE html>\n<html lang="(de|en)">/, 'doctype and lang';
		like $html, qr/<meta name="viewport" content="width=device-width, initial-scale=1">/,
		     'responsive viewport';
		like $html, qr/<a class="skip-link" href="#main">/, 'skip link first';
		like $html, qr/<main id="main">/, 'main landmark';
		like $html, qr/<header class="site-header">/, 'banner landmark';
		like $html, qr/<nav [^>]*aria-label="[^"]+"/, 'labelled navigation';
		like $html, qr/<footer class="site-footer">/, 'contentinfo landmark';
		like $html, qr/<h1 id="hero-title">/, 'one main heading';
		is scalar(() = $html =~ /<h1\b/g), 1, '... only one';
		like $html, qr/:focus-visible\{outline:3px solid/, 'visible focus';
		like $html, qr/prefers-reduced-motion/, 'respects reduced motion';
		if (!$lang || $lang eq 'de') {
			like $html, qr/>Impressum</, 'Impressum link';
			like $html, qr/>Datenschutz</, 'Datenschutz link';
		} else {
			like $html, qr/>Legal notice \(Impressum\)</, 'Impressum link';
			like $html, qr/>Privacy policy</, 'privacy link';
		}
		like $html, qr/<button type="button" class="btn btn-primary" data-carbot-open>/,
		     'appointment button for the chat widget';
		unlike $html, qr/<link\b(?![^>]*rel="(?:icon|canonical)")/, 'no stylesheets or other links';
		unlike $html, qr/\bsrc="(?:https?:)?\/\//, 'no external scripts or images';
		unlike $html, qr/url\(|\@import|\@font-face/, 'no CSS fetches';
		unlike $html, qr/<iframe/, 'no embedded map';
	};
}
for my $id (@ids) {
	like $docs{"$id full de"}, qr/class="badge badge-(open|closed)"/, "$id shows whether it is open now";
	like $docs{"$id full de"}, qr{href="https://www\.openstreetmap\.org/}, "$id links to OpenStreetMap";
	like $docs{"$id full de"}, qr/<table class="hours">/, "$id shows the opening hours";
	like $docs{"$id full de"}, qr/href="tel:\+?\d+"/, "$id has a phone link";
	like $docs{"$id full de"}, qr/href="mailto:[^"]+@/, "$id has an email link";
}

# ---- XSS payloads stay text

for my $id (@ids) {
	my $html = $docs{"$id xss"};
	unlike $html, qr/<script>alert|<img src=x|onerror=|javascript:/i, "$id: payloads are escaped";
	like $html, qr/&quot;&gt;&lt;script&gt;alert\(&#x27;x&#x27;\)&lt;\/script&gt;/,
	     "$id: ... and shown as text";
	like $html, qr/\{\{x\}\}/, "$id: mustaches in data are not evaluated";
	is scalar(() = $html =~ /<script\b/g), 0, "$id: no script elements at all";
}

done_testing;
