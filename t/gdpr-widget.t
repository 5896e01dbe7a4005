# The widget's "Delete my conversation" end to end: Chromium on a host page
# with data-privacy-url, the real chat and gdpr plugins behind it. The
# browser side is t/browser/gdpr-forget.mjs; here the database is checked.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/browser";
use Test::More;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Stub;
use CarBot::Browser;
use CarBot::Gdpr;

CarBot::Browser::prepare();
my $t = CarBot::Gdpr::server();
my $u = CarBot::Auth::register($t);
my $k = $t->post('/api/v1/client-keys', headers => bearer($u->{access}),
                 json => {domain => 'localhost', environment => 'test'});
is $k->{status}, 201, 'a test key for localhost' or diag $k->{content};
my $html = CarBot::Browser::page(src => $t->url('/widget.js'), key => $k->{json}{key},
                                 data => {'privacy-url' => 'https://werkstatt.example/datenschutz'});
my $site = CarBot::Stub->new(routes => {
	'GET /' => sub { [200, ['Content-Type' => 'text/html; charset=utf-8'], $html] } });

CarBot::Browser::run_tap('gdpr-forget.mjs', env => {PAGE_BASE => 'http://localhost:' . $site->port});

is $t->sql("SELECT count(*) FROM messages WHERE content = 'Mein Name ist Max'")->[0][0], 0,
	'the visitor\'s message is gone from the database';
is $t->sql('SELECT count(*) FROM conversations')->[0][0], 0, 'and the conversation';
is $t->sql("SELECT count(*) FROM gdpr_audit WHERE action = 'visitor.forgot_self'")->[0][0], 1,
	'audited';
done_testing;
