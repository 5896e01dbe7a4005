# notify: SMTP AUTH against a server that requires it (right and wrong
# credentials; the password never in a log line), and the settings that
# stop startup.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use MIME::Base64 ();
use Test::More;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Mail;

my $m = CarBot::Mail->new(args => ['--user', 'carbot', '--pass', 'Smtp-Secret-9']);

sub wait_status { CarBot::Mail::outbox_status(@_) }

subtest 'AUTH with the right credentials: the mail arrives' => sub {
	my $t = CarBot::Mail::server($m, notify => {smtp_user => 'carbot', smtp_password => 'Smtp-Secret-9'});
	my $u = CarBot::Auth::register($t);
	is $u->{status}, 201, 'registered';
	my ($mail) = $m->wait_for(1, to => $u->{email}, kind => 'verify_email');
	ok $mail, 'the verification mail arrived through an authenticated session';
	$t->stop_carbotd;
};

subtest 'a wrong password: the mail stays queued with the reason, no secret logged' => sub {
	my $t = CarBot::Mail::server($m, notify => {smtp_user => 'carbot', smtp_password => 'Wrong-Secret-1'});
	my $u = CarBot::Auth::register($t);
	my $s = wait_status($t, $u->{email});
	is $s->[0], 'queued', 'not sent';
	cmp_ok $s->[1], '>=', 1, 'an attempt was made';
	like $s->[2], qr/Login denied|535|auth/i, 'the reason is the refused login';
	is scalar(my @x = $m->wait_for(1, to => $u->{email}, timeout => 0)), 0, 'nothing arrived';
	unlike $t->log, qr/Wrong-Secret-1/, 'the SMTP password is in no log line';
	my $msg = $t->sql("SELECT message FROM notify_mails WHERE recipient = :'p1'", $u->{email})->[0][0];
	my ($b64) = $msg =~ m{text/plain.*?base64\r\n\r\n(.*?)\r\n--}s;
	my ($tok) = MIME::Base64::decode_base64($b64 // '') =~ /token=([0-9a-f]{64})/;
	ok $tok, 'the queued message holds the link until it is sent';
	unlike $t->log, qr/\Q$tok\E/, 'the token is in no log line';
	$t->stop_carbotd;
};

subtest 'settings that stop startup' => sub {
	my $t = CarBot::Mail::server($m, start => 0);
	for my $bad ([smtp_tls => 'maybe', qr/smtp_tls must be off, try or on/],
	             [smtp_url => 'http://127.0.0.1:25', qr/smtp_url must start with smtp/],
	             [mail_from => 'CarBot <x@y.z>', qr/mail_from must be a bare address/],
	             [secret => 'short', qr/secret is 5 bytes long/],
	             [public_url => 'http://carbot.test/', qr/public_url must not end/]) {
		my $conf = $t->write_conf(plugins => ['auth', 'templates', 'notify'],
		    plugin_conf => {auth => {jwt_secret => $CarBot::Auth::SECRET},
		                    notify => {secret => $CarBot::Mail::SECRET, $bad->[0] => $bad->[1]}});
		my ($code, $out) = $t->run_carbotd(args => ['-t', '-c', $conf]);
		is $code, 1, "$bad->[0] = $bad->[1] refused";
		like $out, $bad->[2], 'saying why';
	}
};

done_testing;
