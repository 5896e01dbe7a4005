# Follow-ups a front desk gets right: "what does that cost?" right after the
# visitor named a service is that service's price (not "which service?"),
# and once an appointment request is made the quick replies stop offering
# to book one.
use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CarBot::Chat;

binmode Test::More->builder->$_, ':encoding(UTF-8)' for qw(output failure_output todo_output);
my $t = CarBot::Chat::server();
my $o = CarBot::Chat::owner($t, tier => 'premium');
my $kb = $t->put('/api/v1/knowledge', headers => $o->{bearer}, json => {
	services => [
		{id => 'bremsen', name => 'Bremsen', category => 'Bremsen', synonyms => ['brakes', 'Bremsbeläge'],
		 price_kind => 'from', price => 189},
		{id => 'oelwechsel', name => 'Ölwechsel', category => 'Wartung', synonyms => ['oil change'],
		 price_kind => 'fixed', price => 79},
	]});
is $kb->{status}, 200, 'the knowledge base with two priced services' or diag $kb->{content};

sub answers {
	my ($sid, @msgs) = @_;
	return map { my $r = CarBot::Chat::chat($t, $o, $sid, $_); is $r->{status}, 200, "\"$_\": 200"; $r->{json} } @msgs;
}

subtest 'a price follows the service just named' => sub {
	my $sid = CarBot::Chat::session($t, $o);
	my (undef, $p) = answers($sid, 'Meine Bremsen quietschen', 'Was kostet das?');
	like $p->{response}, qr/189/, 'the brakes\' price' or diag $p->{response};
	unlike $p->{response}, qr/\b79\b/, 'not another service\'s';
	my $fresh = CarBot::Chat::session($t, $o);
	my ($q) = answers($fresh, 'Was kostet das?');
	like $q->{response}, qr/189.*79/s, 'without a service named before: the price list' or diag $q->{response};
	my (undef, $r) = answers($sid, 'Wann habt ihr offen?', 'Was kostet das?');
	like $r->{response}, qr/189.*79/s, 'only right after: a turn about something else forgets it (the list again)'
		or diag $r->{response};
	my (undef, $e) = answers(CarBot::Chat::session($t, $o), 'I need an oil change', 'how much is it?');
	like $e->{response}, qr/79/, 'in English too' or diag $e->{response};
};

subtest 'a completed request is not offered again' => sub {
	my $sid = CarBot::Chat::session($t, $o);
	my @r = answers($sid, 'Ich hätte gern einen Termin für einen Ölwechsel', 'Erika Mustermann',
	                '+49 170 1234567', 'Opel Astra', 'am Donnerstag');
	like $r[-1]{response}, qr/Danke, Erika Mustermann/, 'the request is confirmed';
	ok !grep({ /Termin/ } @{$r[-1]{suggestions}}), 'no "Termin vereinbaren" among the quick replies'
		or diag explain $r[-1]{suggestions};
	ok scalar @{$r[-1]{suggestions}}, 'other quick replies are offered';
	my ($before) = answers(CarBot::Chat::session($t, $o), 'Wann habt ihr offen?');
	ok grep({ /Termin/ } @{$before->{suggestions}}), 'a visitor without a request is offered one';
};

done_testing;
