# What the owner enters shows: founded year, brands and highlights in every
# template, the logo's backing, the country; and JSON-LD carries the
# country, the services' known prices (makesOffer) and the dealer's
# vehicles. Bad values of the new fields are refused like any other.
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
my $BASE = $CarBot::Landing::BASE;
my $u = CarBot::Landing::premium($t);
my @templates = CarBot::Landing::templates($t, $u);

sub conf {
	my $c = CarBot::Landing::page_body()->{configuration};
	$c->{founded_year} = 1987;
	$c->{brands} = ['Volkswagen', 'Škoda'];
	$c->{highlights} = [{title => 'Meisterbetrieb', text => 'Seit drei Generationen'}];
	$c->{services} = [{name => 'Inspektion', price => 'ab 149 €'}, {name => 'Klimaservice', price => '89,50 €'},
	                  {name => 'Bremsen', price => 'nach Aufwand'}];
	$c->{vehicles} = [{title => 'VW Golf 8', price => '24.900,00 €', details => '2021 · 35.000 km',
	                   image_url => 'https://bilder.example/golf.jpg'}];
	return {%$c, @_};
}

for my $tid (@templates) {
	(my $sub = "fields-$tid") =~ s/[^a-z0-9-]//g;
	CarBot::Landing::published($t, $u, template_id => $tid, subdomain => $sub, configuration => conf());
	my $html = decode_utf8(CarBot::Landing::host_get($t, "$sub.$BASE", '/')->{content});
	like $html, qr/(seit|since) 1987/, "$tid: the founded year";
	like $html, qr/>Škoda</, "$tid: the brands";
	like $html, qr/Meisterbetrieb/, "$tid: the highlights";
	like $html, qr/Seit drei Generationen/, "$tid: ... with their text";
}

subtest 'JSON-LD: country, prices, vehicles' => sub {
	my $p = CarBot::Landing::published($t, $u, subdomain => 'fields-ld',
		configuration => conf(seo => {schema_type => 'AutoDealer'}));
	my ($ld) = CarBot::Landing::jsonld(CarBot::Landing::host_get($t, "fields-ld.$BASE", '/')->{content});
	is $ld->{address}{addressCountry}, 'DE', 'addressCountry DE by default';
	is $ld->{address}{postalCode}, '10115', 'the address parts stay';
	my @o = @{$ld->{makesOffer} || []};
	is scalar @o, 4, 'makesOffer: three services and one vehicle';
	is_deeply $o[0]{priceSpecification}, {'@type' => 'PriceSpecification', minPrice => '149', priceCurrency => 'EUR'},
		'"ab 149 €" is a minimum price';
	is $o[1]{price}, '89.50', '"89,50 €" is 89.50';
	is $o[1]{priceCurrency}, 'EUR', '... in EUR';
	ok !exists $o[2]{price} && !exists $o[2]{priceSpecification}, 'no price where none is known';
	is $o[2]{itemOffered}{name}, 'Bremsen', '... the service is still offered';
	is $o[3]{itemOffered}{'@type'}, 'Car', 'the vehicle as a Car';
	is $o[3]{itemOffered}{name}, 'VW Golf 8', '... named';
	is $o[3]{itemOffered}{image}, 'https://bilder.example/golf.jpg', '... with its image';
	is $o[3]{price}, '24900.00', '"24.900,00 €" is 24900.00';
	ok $ld->{hasOfferCatalog}, 'hasOfferCatalog stays';
	my $at = CarBot::Landing::published($t, $u, subdomain => 'fields-at',
		configuration => conf(contact_info => {address => 'Ring 1, 1010 Wien', country => 'AT'}));
	my ($l2) = CarBot::Landing::jsonld(CarBot::Landing::host_get($t, "fields-at.$BASE", '/')->{content});
	is $l2->{address}{addressCountry}, 'AT', 'contact_info.country sets it';
	my $xss = CarBot::Landing::published($t, $u, subdomain => 'fields-xss',
		configuration => conf(vehicles => [{title => '</script><script>alert(1)</script>', price => '1 €'}]));
	my $raw = CarBot::Landing::host_get($t, "fields-xss.$BASE", '/')->{content};
	unlike $raw, qr{</script><script>alert}, 'a vehicle title cannot end the JSON-LD element';
};

subtest 'the logo backing' => sub {
	my $c = conf(theme => {logo_url => 'https://bilder.example/logo.png', logo_backing => 'dark'});
	CarBot::Landing::published($t, $u, subdomain => 'fields-logo', configuration => $c);
	like CarBot::Landing::host_get($t, "fields-logo.$BASE", '/')->{content}, qr/<img class="logo-dark" src="https:\/\/bilder\.example\/logo\.png"/,
		'theme.logo_backing dark';
};

subtest 'bad values' => sub {
	my @bad = (
		[{founded_year => 'früher'}, 'configuration.founded_year', 'type'],
		[{founded_year => 1987.5}, 'configuration.founded_year', 'type'],
		[{founded_year => 1200}, 'configuration.founded_year', 'range'],
		[{theme => {logo_backing => 'pink'}}, 'configuration.theme.logo_backing', 'invalid'],
		[{contact_info => {country => 'de'}}, 'configuration.contact_info.country', 'invalid'],
		[{contact_info => {country => 'DEU'}}, 'configuration.contact_info.country', 'too_long'],
	);
	for my $b (@bad) {
		my $r = CarBot::Landing::create($t, $u, configuration => conf(%{$b->[0]}));
		is $r->{status}, 400, "$b->[1]: 400";
		my ($d) = grep { $_->{field} eq $b->[1] } @{$r->{json}{error}{details} || []};
		is $d && $d->{issue}, $b->[2], "... $b->[2]" or diag $r->{content};
	}
};

done_testing;
