# Events of carbot/events.h that the bundled plugins emit, with the payload
# the header documents (testkit records what it hears).
use strict;
use warnings;
use lib 't/lib';
use Test::More;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Landing;

my $t = CarBot::Landing::server(test_plugins => ['testkit'],
	plugin_conf => {testkit => {record_events => 'page.published,user.registered,user.login'}});

sub heard {
	my ($event) = @_;
	return [map { $_->[0] } @{$t->sql(q{SELECT data::text FROM testkit_events WHERE event = :'p1' ORDER BY id}, $event)}];
}

subtest 'user.registered and user.login: {user_id, email}' => sub {
	my $u = CarBot::Auth::register($t);
	CarBot::Auth::login($t, $u->{email}, $CarBot::Auth::PASSWORD);
	like heard('user.registered')->[-1], qr/"user_id": "\Q$u->{id}\E"/, 'registered, with the id';
	like heard('user.registered')->[-1], qr/"email": "\Q$u->{email}\E"/, 'and the e-mail';
	like heard('user.login')->[-1], qr/"user_id": "\Q$u->{id}\E"/, 'login';
};

subtest 'page.published: {page_id, user_id, subdomain}, on publishing only' => sub {
	my $u = CarBot::Landing::premium($t);
	my $before = scalar @{heard('page.published')};
	my $p = CarBot::Landing::published($t, $u);
	my $got = heard('page.published');
	is scalar @$got, $before + 1, 'one event';
	like $got->[-1], qr/"page_id": "\Q$p->{id}\E"/, 'page_id';
	like $got->[-1], qr/"user_id": "\Q$u->{id}\E"/, 'user_id';
	like $got->[-1], qr/"subdomain": "\Q$p->{subdomain}\E"/, 'subdomain';
	$t->post("/api/v1/landing-pages/$p->{id}/unpublish", headers => CarBot::Auth::bearer($u->{access}));
	is scalar @{heard('page.published')}, $before + 1, 'unpublishing emits nothing';
};

done_testing;
