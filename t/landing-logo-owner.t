# A page's images (logo, favicon, photos) may be http(s) URLs or the page's
# own uploads, never another page's upload (issue 12): neither as a path nor
# as an absolute URL on any host, however encoded.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Landing;

my $t = CarBot::Landing::server();
my $API = '/api/v1/landing-pages';
my $PNG = "\x89PNG\r\n\x1a\n" . "\0\0\0\rIHDR" . ("\x01" x 200);

my $alice = CarBot::Landing::premium($t);
my $bob = CarBot::Landing::premium($t);
my $apage = CarBot::Landing::published($t, $alice);
my $bpage = CarBot::Landing::published($t, $bob);

sub upload {
	my ($u, $page) = @_;
	my $r = $t->post("$API/$page->{id}/assets?kind=logo", body => $PNG,
	                 headers => {%{bearer($u->{access})}, 'Content-Type' => 'application/octet-stream'});
	die "upload: $r->{status} $r->{content}" unless $r->{status} == 201;
	return $r->{json}{url};
}
my $alice_logo = upload($alice, $apage);
my $bob_logo = upload($bob, $bpage);

sub set_theme {
	my ($u, $page, %theme) = @_;
	return $t->patch("$API/$page->{id}", headers => bearer($u->{access}),
	                 json => {configuration => {theme => \%theme}});
}

subtest 'the page\'s own upload is accepted' => sub {
	my $r = set_theme($bob, $bpage, logo_url => $bob_logo, favicon_url => $bob_logo);
	is $r->{status}, 200, 'own logo and favicon: 200';
	is $r->{json}{configuration}{theme}{logo_url}, $bob_logo, 'stored';
	my $abs = "https://$bpage->{subdomain}.$CarBot::Landing::BASE$bob_logo";
	is set_theme($bob, $bpage, logo_url => $abs)->{status}, 200, 'as an absolute URL too';
	is set_theme($bob, $bpage, logo_url => 'https://cdn.example.com/logo.png')->{status}, 200,
	  'an outside URL is fine';
};

subtest 'another page\'s upload is refused' => sub {
	my $host = "$apage->{subdomain}.$CarBot::Landing::BASE";
	my $sha_part = $alice_logo =~ s{^/assets/[^/]+/}{}r;
	for my $case (
		[$alice_logo, 'as a path'],
		["https://$host$alice_logo", 'as a URL on its own subdomain'],
		["https://$bpage->{subdomain}.$CarBot::Landing::BASE$alice_logo", 'as a URL on this page\'s host'],
		["https://www.kunde-example.de$alice_logo?v=2", 'on another host, with a query'],
		["https://x.example" . ($alice_logo =~ s{/assets/}{/%61ssets/}r), 'percent-encoded'],
		["https://x.example" . uc($alice_logo =~ s{^/assets/}{}r) =~ s{^}{/ASSETS/}r, 'in upper case'],
		["https://x.example/" . $alice_logo, 'after a double slash'],
	) {
		my ($url, $how) = @$case;
		my $r = set_theme($bob, $bpage, logo_url => $url);
		is $r->{status}, 400, "logo $how: 400";
		is $r->{json}{error}{details}[0]{field}, 'configuration.theme.logo_url', "$how: names the field";
	}
	is set_theme($bob, $bpage, favicon_url => $alice_logo)->{status}, 400, 'a favicon likewise';
	my $r = $t->patch("$API/$bpage->{id}", headers => bearer($bob->{access}),
	                  json => {configuration => {vehicles => [{title => 'Golf', image_url => $alice_logo}]}});
	is $r->{status}, 400, 'a vehicle photo likewise';
	is $r->{json}{error}{details}[0]{field}, 'configuration.vehicles[0].image_url', 'naming that field';
	$r = $t->patch("$API/$bpage->{id}", headers => bearer($bob->{access}),
	               json => {configuration => {vehicles => [{title => 'Golf', image_url => $bob_logo}]}});
	is $r->{status}, 200, 'while its own upload as a vehicle photo is fine';
	my $stored = $t->sql("SELECT configuration->'theme'->>'logo_url' FROM landing_pages WHERE id = :'p1'",
	                     $bpage->{id})->[0][0];
	isnt $stored, $alice_logo, 'nothing of it was stored';
};

subtest 'a new page cannot start with anyone\'s upload' => sub {
	my $body = CarBot::Landing::page_body(template_id => (CarBot::Landing::templates($t, $bob))[0]);
	$body->{configuration}{theme}{logo_url} = $alice_logo;
	my $r = $t->post($API, json => $body, headers => bearer($bob->{access}));
	is $r->{status}, 400, 'create with another page\'s upload: 400';
};

done_testing;
