# Webhook deliveries as Stripe makes them, from the stand-in: duplicates are
# processed once; out-of-order delivery (updated before created) converges on
# Stripe's state, because an event only triggers a re-read; a delivery that
# carbotd refused is retried by the stand-in; an event for a customer not yet
# known is retried, not dropped; the daily reconciliation repairs a missed
# webhook and counts it.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use JSON::PP;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Stripe;

my ($t, $s) = CarBot::Stripe::server();
sub tier { CarBot::Stripe::tier($t, @_) }
sub due { $t->sql("UPDATE cb_jobs SET run_at = now() WHERE name = :'p1' AND status = 'pending'", $_[0]) }
sub basic_user {
	my $u = CarBot::Stripe::user($t);
	$t->sql("UPDATE users SET subscription_tier = 'basic', subscription_status = 'active', trial_ends_at = now() - interval '1 day' WHERE id = :'p1'", $u->{id});
	return $u;
}
sub checkout_url {
	my ($u) = @_;
	my $c = $t->post('/api/v1/billing/checkout', headers => bearer($u->{access}), json => {plan => 'premium'});
	die "checkout: $c->{status} $c->{content}" unless $c->{status} == 200;
	return $c->{json}{url};
}
sub delivered { scalar grep { $_->{status} eq 'delivered' } @{$s->ctl('deliveries', undef, 'GET')->{deliveries}} }
sub settle { # every event the stand-in delivered has been processed
	wait_for(sub { my $r = $t->sql("SELECT count(*) = count(processed_at) FROM billing_events")->[0][0]; $r eq 't' });
}

subtest 'duplicated deliveries are processed once' => sub {
	my $u = basic_user();
	$s->ctl('config', {duplicate => JSON::PP::true});
	my $before = delivered();
	$s->pay(checkout_url($u));
	ok wait_for(sub { delivered() - $before >= 6 }), 'the stand-in delivered each of 3 events twice';
	$s->ctl('config', {duplicate => JSON::PP::false});
	settle();
	is tier($u), 'premium/active', 'premium';
	my $cus = $t->sql("SELECT stripe_customer_id FROM billing_customers WHERE user_id = :'p1'", $u->{id})->[0][0];
	my $rows = $t->sql("SELECT count(*), count(DISTINCT id) FROM billing_events WHERE payload->'data'->'object'->>'customer' = :'p1'", $cus)->[0];
	is $rows->[0], 3, 'three events stored';
	is $t->sql("SELECT count(*) FROM cb_jobs WHERE name = 'billing.event' AND payload->>'event_id' IN (SELECT id FROM billing_events WHERE payload->'data'->'object'->>'customer' = :'p1')", $cus)->[0][0],
		3, 'one job each';
};

subtest 'out of order: updated before created ends in Stripe\'s state' => sub {
	my $u = basic_user();
	$s->ctl('config', {hold => JSON::PP::true});
	$s->pay(checkout_url($u));
	my $sub = (grep { $_->{customer} eq $t->sql("SELECT stripe_customer_id FROM billing_customers WHERE user_id = :'p1'", $u->{id})->[0][0] } values %{$s->state->{subs}})[0]{id};
	ok $sub, 'the stand-in has the subscription';
	my $r = $s->api('POST', "/v1/subscriptions/$sub", cancel_at_period_end => 'true');
	is $r->{status}, 200, 'then it is set to cancel at period end (as the portal would)';
	my $sent = $s->ctl('flush', {order => 'reverse'})->{sent};
	is_deeply $sent, ['customer.subscription.updated', 'checkout.session.completed', 'invoice.paid',
	                  'customer.subscription.created'], 'delivered newest first';
	ok wait_for(sub { tier($u) eq 'premium/active' }), 'premium';
	settle();
	is $t->sql("SELECT cancel_at_period_end::text FROM billing_subscriptions WHERE stripe_subscription_id = :'p1'", $sub)->[0][0],
		'true', 'and cancel_at_period_end is what Stripe says now, whatever came last';
};

subtest 'a refused delivery is retried by Stripe' => sub {
	my $u = basic_user();
	$s->ctl('config', {fail_deliveries => 2, retry_ms => 200});
	$s->pay(checkout_url($u));
	ok wait_for(sub { tier($u) eq 'premium/active' }), 'premium';
	ok wait_for(sub { !grep { $_->{status} ne 'delivered' } @{$s->ctl('deliveries', undef, 'GET')->{deliveries}} }),
		'every event delivered in the end';
	my @d = grep { $_->{attempts} > 1 } @{$s->ctl('deliveries', undef, 'GET')->{deliveries}};
	is scalar @d, 2, 'the two refused ones after a second attempt';
	settle();
	is tier($u), 'premium/active', 'still premium';
};

subtest 'an event for a customer not yet known is retried, not dropped' => sub {
	my $u = basic_user();
	my $cus = $s->api('POST', '/v1/customers', email => $u->{email})->{json}{id};
	my $sub = $s->ctl('subscriptions', {customer => $cus, price => 'price_premium_month'});
	my $job;
	ok wait_for(sub {
		$job = $t->sql("SELECT j.status, j.attempts, j.last_error FROM cb_jobs j JOIN billing_events e ON e.id = j.payload->>'event_id' WHERE e.payload->'data'->'object'->>'id' = :'p1'", $sub->{id})->[0];
		$job && $job->[0] eq 'pending' && defined $job->[2] }), 'the event\'s job ran and failed';
	is $job->[0], 'pending', 'and waits for a retry';
	like $job->[2], qr/not known yet/, 'because the customer is unknown';
	is tier($u), 'basic/active', 'nothing applied yet';
	$s->api('POST', "/v1/customers/$cus", 'metadata[user_id]' => $u->{id});
	due('billing.event');
	ok wait_for(sub { tier($u) eq 'premium/active' }), 'once Stripe links the customer to the user, the retry applies it';
	is $t->sql("SELECT stripe_customer_id FROM billing_customers WHERE user_id = :'p1'", $u->{id})->[0][0], $cus,
		'and the customer is remembered';
};

subtest 'Stripe slow while an event is processed: retried, nothing half-applied' => sub {
	my $u = basic_user();
	my $url = checkout_url($u);
	$s->ctl('config', {delay_ms => 4000}); # stripe_timeout_ms is 3000
	my $before = delivered();
	$s->pay($url);
	ok wait_for(sub { delivered() - $before >= 3 }), 'the events were delivered (and answered at once)';
	my $failed;
	ok wait_for(sub { $failed = $t->sql("SELECT count(*) FROM cb_jobs WHERE name = 'billing.event' AND status = 'pending' AND last_error LIKE '%Stripe unavailable%'")->[0][0]; $failed >= 1 }, 40),
		'their jobs fail while Stripe does not answer in time, and wait for a retry';
	is tier($u), 'basic/active', 'nothing applied';
	is $t->sql("SELECT count(*) FROM billing_subscriptions WHERE user_id = :'p1'", $u->{id})->[0][0], 0, 'nothing stored';
	$s->ctl('config', {delay_ms => 0});
	due('billing.event');
	ok wait_for(sub { tier($u) eq 'premium/active' }, 40), 'with Stripe back, the retries apply it';
};

subtest 'the reconciliation repairs a missed webhook' => sub {
	my $u = basic_user();
	$s->ctl('config', {drop => JSON::PP::true});
	$s->pay(checkout_url($u));
	my $paid = (grep { $_->{status} eq 'complete' && $_->{client_reference_id} eq $u->{id} } values %{$s->state->{sessions}})[0];
	ok $paid, 'the stand-in took the payment';
	sleep 1;
	is tier($u), 'basic/active', 'but no webhook arrived: still basic';
	$s->ctl('config', {drop => JSON::PP::false});
	my $metrics = $t->get('/api/v1/billing/metrics')->{content};
	my ($before) = $metrics =~ /^carbot_billing_reconcile_drift_total (\d+)$/m;
	is $t->sql("SELECT count(*) FROM cb_jobs WHERE name = 'billing.reconcile' AND status = 'pending'")->[0][0], 1,
		'a daily reconciliation is queued';
	due('billing.reconcile');
	ok wait_for(sub { tier($u) eq 'premium/active' }), 'the reconciliation makes the paying customer premium';
	ok wait_for(sub { $t->sql("SELECT count(*) FROM cb_jobs WHERE name = 'billing.reconcile' AND status = 'done'")->[0][0] >= 1 }),
		'it finished';
	is $t->sql("SELECT count(*) FROM billing_drift WHERE user_id = :'p1'", $u->{id})->[0][0], 1, 'one drift recorded';
	($metrics) = $t->get('/api/v1/billing/metrics')->{content} =~ /^carbot_billing_reconcile_drift_total (\d+)$/m;
	is $metrics, $before + 1, 'and counted in the metrics';
	my $core = $t->get('/metrics')->{content};
	like $core, qr/^# TYPE carbot_billing_reconcile_drift_total counter$/m, 'the core\'s /metrics has the drift counter (cb_metric)';
	is +($core =~ /^carbot_billing_reconcile_drift_total (\d+)$/m)[0], $before + 1, 'with the same count';
	like $core, qr/^carbot_billing_webhook_events_pending \d+$/m, 'and the pending events gauge';
	ok scalar(grep { ($_->{msg} // '') =~ /reconcile: drift repaired for user \Q$u->{id}\E/ } @{$t->log_lines}), 'and logged';
	my $next = $t->sql("SELECT round(extract(epoch FROM run_at - now()) / 3600) FROM cb_jobs WHERE name = 'billing.reconcile' AND status = 'pending'");
	is scalar @$next, 1, 'the next run is queued';
	is $next->[0][0], 24, 'a day later';
	due('billing.reconcile');
	ok wait_for(sub { $t->sql("SELECT count(*) FROM cb_jobs WHERE name = 'billing.reconcile' AND status = 'done'")->[0][0] >= 2 }),
		'a second run';
	is $t->sql("SELECT count(*) FROM billing_drift WHERE user_id = :'p1'", $u->{id})->[0][0], 1, 'finds nothing more to repair';
};

subtest 'the reconciliation also ends a trial whose job went missing' => sub {
	my $u = CarBot::Stripe::user($t);
	is tier($u), 'premium/trialing', 'trialing';
	$t->sql("DELETE FROM cb_jobs WHERE name = 'billing.trial_end' AND payload->>'user_id' = :'p1'", $u->{id});
	$t->sql("UPDATE users SET trial_ends_at = now() - interval '1 second' WHERE id = :'p1'", $u->{id});
	my $done = $t->sql("SELECT count(*) FROM cb_jobs WHERE name = 'billing.reconcile' AND status = 'done'")->[0][0];
	due('billing.reconcile');
	ok wait_for(sub { $t->sql("SELECT count(*) FROM cb_jobs WHERE name = 'billing.reconcile' AND status = 'done'")->[0][0] > $done }),
		'a reconciliation ran';
	is tier($u), 'basic/active', 'and moved the expired trial to basic';
};

done_testing;
