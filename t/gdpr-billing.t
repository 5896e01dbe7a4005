# The erasure and billing: while an erasure waits, the owner's subscription is
# set to cancel at period end at Stripe (the stand-in on loopback); a
# cancellation of the erasure undoes exactly that; the export has the
# subscription; the erasure deletes billing's rows.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Landing;
use CarBot::Stripe;
use CarBot::Gdpr;

my $t = CarBot::Test->new(start => 0);
my $s = CarBot::Stripe->start(webhook_url => $t->url('/api/v1/billing/webhook'));
$t->write_conf(path => $t->conf_path, CarBot::Landing::options(
	auth => {rate_basic => 100000, rate_premium => 100000},
	more => ['keys', 'billing', 'gdpr'],
	plugin_conf => {keys => {key_secret => 'key-secret-' . ('s' x 40)},
	                gdpr => {secret => $CarBot::Gdpr::SECRET},
	                billing => {stripe_api_base => $s->url, stripe_api_key => $API_KEY,
	                            webhook_secret => $WEBHOOK_SECRET, stripe_timeout_ms => 3000}},
	conf => {fetch_private_ok => 'on', job_poll_ms => 50}));
$t->start_carbotd;

my $u = CarBot::Stripe::user($t);
$t->sql("UPDATE users SET subscription_tier = 'basic', subscription_status = 'active', "
        . "trial_ends_at = now() - interval '1 day' WHERE id = :'p1'", $u->{id});
my $c = $t->post('/api/v1/billing/checkout', headers => bearer($u->{access}), json => {plan => 'premium'});
is $c->{status}, 200, 'checkout' or diag $c->{content};
$s->pay($c->{json}{url});
ok wait_for(sub { CarBot::Stripe::tier($t, $u) eq 'premium/active' }), 'premium after paying';
my $sub = $t->sql("SELECT stripe_subscription_id FROM billing_subscriptions WHERE user_id = :'p1'", $u->{id})->[0][0];
ok $sub, 'a subscription';
sub at_stripe { $s->state->{subs}{$sub}{cancel_at_period_end} ? 1 : 0 }
is at_stripe(), 0, 'not cancelling at Stripe';

my $r = $t->post('/api/v1/gdpr/erasure', headers => bearer($u->{access}),
                 json => {password => $CarBot::Auth::PASSWORD});
is $r->{status}, 202, 'erasure planned' or diag $r->{content};
is at_stripe(), 1, 'the subscription cancels at period end at Stripe';
is $t->sql("SELECT cancel_at_period_end::text FROM billing_subscriptions WHERE user_id = :'p1'", $u->{id})->[0][0],
	'true', 'and so it is stored';
$r = $t->post('/api/v1/gdpr/erasure/cancel', json => {email => $u->{email}, password => $CarBot::Auth::PASSWORD});
is $r->{status}, 200, 'erasure cancelled' or diag $r->{content};
is at_stripe(), 0, 'the subscription goes on at Stripe';
is $t->sql("SELECT cancel_at_period_end::text FROM billing_subscriptions WHERE user_id = :'p1'", $u->{id})->[0][0],
	'false', 'and so it is stored';
done_testing;
