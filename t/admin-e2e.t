# The owner's dashboard end to end in Debian's Chromium: carbotd with the
# real auth, keys, chat and admin plugins serves /admin/, the API and
# /widget.js; a second origin on localhost hosts the embed snippet. The
# browser side is t/browser/admin.mjs; screenshots of every screen at 390
# and 1280 px go to $CARBOT_BUILD/screenshots/admin/.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/browser";
use Test::More;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Stub;
use CarBot::Browser;

CarBot::Browser::prepare();
my $index = CarBot::Browser::build_dir() . '/admin-ui/index.html';
unless (-s $index) { fail("$index is built (make admin-ui)"); done_testing; exit 1 }

my $t = CarBot::Auth::server(
	plugins => ['auth', 'keys', 'chat', 'admin'],
	auth => {access_ttl => 30},
	plugin_conf => {
		keys => {key_secret => 'key-secret-' . ('s' x 40), cache_ttl => 0,
		         ip_rate_limit => 100000, key_rate_limit => 100000},
		chat => {visitor_salt => 'visitor-salt-' . ('v' x 40), cache_ms => 0},
	},
);
my $site = CarBot::Stub->new(routes => {
	'GET /' => sub { [200, ['Content-Type' => 'text/html; charset=utf-8'], '<!doctype html><title>x</title>'] },
});
my $shots = CarBot::Browser::build_dir() . '/screenshots/admin';
my $email = CarBot::Auth::email();

CarBot::Browser::run_tap('admin.mjs', timeout => 900, env => {
	BASE => 'http://localhost:' . $t->port,
	SITE => 'http://localhost:' . $site->port,
	SHOTS => $shots,
	EMAIL => $email,
	PASSWORD => $CarBot::Auth::PASSWORD,
});

# What the browser did, seen in the database.
my ($status) = @{$t->sql(q{SELECT status FROM leads WHERE name = 'Erika Mustermann'})->[0] || []};
is $status, 'contacted', "the lead's status was stored";
my ($n) = @{$t->sql(q{SELECT count(*) FROM client_keys k JOIN users u ON u.id = k.user_id WHERE u.email = :'p1'}, lc $email)->[0]};
is $n, 1, 'the preview ran on the owner\'s one test key';
unlike $t->log, qr/cb_test_[0-9a-f]{32}|carbot_refresh=[A-Za-z0-9_-]{20}/, 'no key or refresh token in the log';

done_testing;
