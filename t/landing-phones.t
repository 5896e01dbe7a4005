# Every catalogue template on phones and tablets, in Chromium: a published
# page with every section filled (long names and prices, brands, highlights,
# vehicles, tyres, testimonials, a wide logo) at 320, 360, 390 and 768 px and
# a desktop width: no horizontal scroll, the opened chat inside the screen,
# a sticky header that stays small on phones, the logo's aspect ratio kept,
# the launcher in the brand colour before opening, every field the owner
# entered on the page, text contrast at WCAG AA (axe-core). Screenshots go to
# $CARBOT_BUILD/screenshots/phones-*.png. The browser side is
# t/browser/phones.mjs.
use strict;
use utf8;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/browser";
use Test::More;
use JSON::PP;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Keys;
use CarBot::Landing;
use CarBot::Browser;

binmode Test::More->builder->$_, ':encoding(UTF-8)' for qw(output failure_output todo_output);
CarBot::Browser::prepare();

my $t = CarBot::Landing::server(
	more => ['keys', 'chat'],
	plugin_conf => {keys => {key_secret => $KEY_SECRET, cache_ttl => 0, ip_rate_limit => 100000,
	                         key_rate_limit => 100000},
	                chat => {visitor_salt => 'visitor-salt-' . ('v' x 40)}},
);
my $BASE = $CarBot::Landing::BASE;
my $u = CarBot::Landing::premium($t);
is CarBot::Keys::create($t, $u, domain => 'werkstatt-mueller.de')->{status}, 201, 'a prod key';

# a wide logo (a 240 x 60 wordmark), uploaded as the page's own asset
sub png {
	my ($w, $h) = @_;
	require Compress::Zlib;
	my $crc = sub { my $c = Compress::Zlib::crc32($_[0]); pack 'N', $c };
	my $chunk = sub { my ($type, $data) = @_; pack('N', length $data) . $type . $data . $crc->($type . $data) };
	my $raw = join '', map { "\0" . ("\x20\x30\x40" x $w) } 1 .. $h;
	return "\x89PNG\r\n\x1a\n" . $chunk->('IHDR', pack 'NNCCCCC', $w, $h, 8, 2, 0, 0, 0)
	     . $chunk->('IDAT', Compress::Zlib::compress($raw)) . $chunk->('IEND', '');
}

my @templates = CarBot::Landing::templates($t, $u);
is scalar @templates, 4, 'four templates';
my %pages;
for my $tid (@templates) {
	(my $sub = "phone-$tid") =~ s/[^a-z0-9-]//g;
	my $c = CarBot::Landing::page_body()->{configuration};
	$c->{business_name} = 'Kfz-Meisterwerkstatt Müller & Söhne Karosseriebau';
	$c->{tagline} = 'Ihre freie Werkstatt für alle Marken in Berlin-Mitte';
	$c->{founded_year} = 1987;
	$c->{theme} = {primary_color => '#0055aa', secondary_color => '#ffcc00'};
	$c->{services} = [
		{name => 'Inspektion nach Herstellervorgabe', description => 'Mit Mobilitätsgarantie', price => 'ab 149,00 € inkl. MwSt.', duration => 'ca. 2 Stunden'},
		{name => 'Reifenwechsel', price => '39 €'},
		{name => 'Klimaanlagen-Service', price => '89,00 € zzgl. Kältemittel'},
	];
	$c->{highlights} = [{title => 'Meisterbetrieb', text => 'Seit drei Generationen'},
	                    {title => 'Ersatzwagen', text => 'Kostenlos ab einem Tag'}];
	$c->{brands} = ['Volkswagen', 'Mercedes-Benz', 'Škoda', 'BMW'];
	$c->{vehicles} = [{title => 'VW Golf 8 1.5 eTSI Life', price => '24.900,00 €', details => '2021 · 35.000 km · Benzin · Automatik'}];
	$c->{tires} = {season_note => 'Jetzt Wintereifen-Wechsel buchen', storage_price => 'ab 59,00 € pro Saison inkl. Wäsche'};
	$c->{testimonials} = [{quote => 'Schnell, freundlich und fair – jederzeit wieder.', author => 'Anna K.'}];
	$c->{imprint} = {representative => 'Erika Müller'};
	my $r = CarBot::Landing::create($t, $u, template_id => $tid, subdomain => $sub, configuration => $c);
	is $r->{status}, 201, "$tid: page created" or diag $r->{content};
	my $id = $r->{json}{id};
	my $up = $t->post("/api/v1/landing-pages/$id/assets?kind=logo", headers => {%{bearer($u->{access})},
	                  'Content-Type' => 'image/png'}, body => png(240, 60));
	is $up->{status}, 201, "$tid: a wide logo" or diag $up->{content};
	is $t->post("/api/v1/landing-pages/$id/publish", headers => bearer($u->{access}))->{status}, 200,
		"$tid: published";
	$pages{$tid} = "http://$sub.$BASE:" . $t->port . '/';
}

my $shots = CarBot::Browser::build_dir() . '/screenshots';
CarBot::Browser::run_tap('phones.mjs', env => {
	PAGES => JSON::PP->new->encode(\%pages),
	SHOTS => $shots,
	BRAND_RGB => 'rgb(0, 85, 170)',
	FIELDS => JSON::PP->new->utf8->encode(['1987', 'Meisterbetrieb', 'Škoda', 'Anna K.']),
});
done_testing;
