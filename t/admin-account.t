# The dashboard's billing, account and privacy screens end to end in Debian's
# Chromium (t/browser/admin-account.mjs): carbotd with auth, templates,
# landing, keys, billing (test mode, against the Stripe stand-in), gdpr,
# notify (mailing to the mail catcher, links to this carbotd) and admin.
# Upgrade basic -> premium through the stand-in's checkout page, a declined
# payment, a downgrade's effects said before, the export downloaded (its
# manifest read here), the deletion with a wrong and the right password and
# its cancellation, verification and password reset through the mails, axe
# and screenshots of every new screen.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib", "$FindBin::Bin/browser";
use Test::More;
use File::Temp ();
use JSON::PP;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Keys;
use CarBot::Landing;
use CarBot::Stripe;
use CarBot::Gdpr;
use CarBot::Mail;
use CarBot::Browser;

CarBot::Browser::prepare();
my $index = CarBot::Browser::build_dir() . '/admin-ui/index.html';
unless (-s $index) { fail("$index is built (make admin-ui)"); done_testing; exit 1 }

my $t = CarBot::Test->new(start => 0);
my $base = 'http://localhost:' . $t->port;
my $s = CarBot::Stripe->start(webhook_url => $t->url('/api/v1/billing/webhook'));
my $m = CarBot::Mail->new;
$t->write_conf(path => $t->conf_path, CarBot::Landing::options(
	more => ['keys', 'billing', 'gdpr', 'notify', 'admin'],
	plugin_conf => {
		keys => {key_secret => $KEY_SECRET, cache_ttl => 0},
		gdpr => {secret => $CarBot::Gdpr::SECRET},
		billing => {stripe_api_base => $s->url, stripe_api_key => $API_KEY,
		            webhook_secret => $WEBHOOK_SECRET, test_mode => 'on',
		            success_url => "$base/admin/billing?checkout=success",
		            cancel_url => "$base/admin/billing?checkout=canceled",
		            portal_return_url => "$base/admin/billing"},
		notify => {smtp_url => 'smtp://127.0.0.1:' . $m->smtp_port, smtp_tls => 'off',
		           secret => $CarBot::Mail::SECRET, public_url => $base,
		           mail_from => 'noreply@carbot.test'},
	},
	conf => {fetch_private_ok => 'on', job_poll_ms => 50}));
$t->start_carbotd;

# Owner A: on basic (the trial over), upgrades in the browser.
my $a = CarBot::Stripe::user($t);
$t->sql("UPDATE users SET subscription_tier = 'basic', subscription_status = 'active', "
        . "trial_ends_at = now() - interval '1 day' WHERE id = :'p1'", $a->{id});
is CarBot::Stripe::tier($t, $a), 'basic/active', 'owner A starts on basic';
ok scalar $m->wait_for(1, to => $a->{email}, kind => 'verify_email'), 'A got the verification mail';

# Owner B: in the trial (premium), four keys and a published page: a
# downgrade to basic would switch off the newest key and the page.
my $b = CarBot::Stripe::user($t);
is CarBot::Stripe::tier($t, $b), 'premium/trialing', 'owner B is in the trial';
my @bkeys;
for my $i (1 .. 4) {
	my $r = $t->post('/api/v1/client-keys', headers => bearer($b->{access}),
	                 json => {domain => "werkstatt$i-$$.example.de", environment => 'prod'});
	is $r->{status}, 201, "B's key $i" or diag $r->{content};
	push @bkeys, $r->{json}{domain};
	select undef, undef, undef, 0.05; # one after the other (often within one second)
}
my $bpage = CarBot::Landing::published($t, $b, subdomain => "b$$");

my $out = File::Temp::tempdir('carbot-account-XXXXXX', TMPDIR => 1, CLEANUP => 1);
CarBot::Browser::run_tap('admin-account.mjs', timeout => 1200, env => {
	BASE => $base,
	STANDIN => $s->url,
	MAIL => $m->http_url,
	SHOTS => CarBot::Browser::build_dir() . '/screenshots/admin',
	OUT => $out,
	EMAIL_A => $a->{email},
	EMAIL_B => $b->{email},
	PASSWORD => $CarBot::Auth::PASSWORD,
	B_NEWEST_KEY => $bkeys[-1],
	B_PAGE => "b$$",
});

# What the browser did, seen from the server.
is CarBot::Stripe::tier($t, $a), 'premium/active', 'A is on premium';
my $sub = $t->sql("SELECT count(*) FROM billing_subscriptions WHERE user_id = :'p1'", $a->{id})->[0][0];
is $sub, 1, 'through one subscription (the declined checkout made none)';
is CarBot::Stripe::tier($t, $b), 'premium/trialing', 'B only looked at the downgrade: still in the trial';
is $t->sql("SELECT count(*) FROM client_keys WHERE user_id = :'p1' AND is_active", $b->{id})->[0][0], 4,
	"and B's keys are all on";

my $zip = "$out/export.zip";
ok -s $zip, 'the export was downloaded';
if (-s $zip) {
	open my $fh, '<:raw', $zip or die;
	my $bytes = do { local $/; <$fh> };
	my $files = CarBot::Gdpr::unzip($bytes);
	my $man = eval { decode_json($files->{'manifest.json'} // '') };
	ok $man, 'the ZIP has a manifest.json' or diag join ' ', sort keys %$files;
	is $man && $man->{owner}{user_id}, $a->{id}, "it is A's";
	my %listed = map { $_->{name} => $_ } @{$man ? $man->{files} : []};
	ok $listed{'auth/profile.json'}, 'it lists the profile';
	like $files->{'auth/profile.json'} // '', qr/\Q$a->{email}\E/, 'whose file has the e-mail';
	my $ok = 1;
	for my $name (keys %listed) {
		next unless defined $files->{$name};
		$ok = 0 if length $files->{$name} != $listed{$name}{bytes};
	}
	ok $ok, 'every listed file has the size the manifest says';
}

is $t->sql("SELECT count(*) FROM gdpr_erasures WHERE user_id = :'p1'", $a->{id})->[0][0], 0,
	'no erasure planned for A any more';
is $t->sql("SELECT deleted_at IS NULL FROM users WHERE id = :'p1'", $a->{id})->[0][0], 't',
	'A is not switched off';
is join(',', map { $_->[0] } @{$t->sql("SELECT action FROM gdpr_audit WHERE user_id = :'p1' AND action LIKE 'erasure.%' ORDER BY id", $a->{id})}),
	'erasure.requested,erasure.cancelled', 'the wrong password changed nothing: one request, one cancellation';
is $t->sql("SELECT conversations_days FROM gdpr_retention WHERE user_id = :'p1'", $a->{id})->[0][0], 90,
	'retention set to 90 days';
my $ns = $t->sql("SELECT language, daily_digest::text, array_to_string(lead_recipients, ',') FROM notify_settings WHERE user_id = :'p1'", $a->{id})->[0];
is $ns->[0], 'en', 'the language chosen on the account page is the mails\' language';
is $ns->[1], 'true', 'the daily digest is on';
is $ns->[2], 'empfang@werkstatt.example', 'the extra lead recipient is stored';
is $t->sql("SELECT last_name FROM users WHERE id = :'p1'", $a->{id})->[0][0], 'Beispiel', 'the profile was saved';
is $t->sql("SELECT email_verified_at IS NOT NULL FROM users WHERE id = :'p1'", $a->{id})->[0][0], 't',
	'the verification link confirmed the address';
my $final = CarBot::Auth::login($t, $a->{email}, 'Neues-Passwort-2026!x');
is $final->{status}, 200, 'A signs in with the password set through the reset mail';
unlike $t->log, qr/sk_test_standin|whsec_test_|cb_(?:prod|test)_[0-9a-f]{32}/, 'no secret in the log';

done_testing;
