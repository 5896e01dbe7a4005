# notify: STARTTLS for real. The mail catcher offers STARTTLS with a
# certificate made here for 127.0.0.1 (openssl); carbotd with smtp_tls = on
# and that certificate as smtp_ca_file sends through an encrypted session.
# Without the CA the certificate is refused; smtp_tls = on against a server
# without STARTTLS sends nothing; try falls back to plain there.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use File::Temp qw(tempdir);
use Test::More;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Mail;

my $dir = tempdir(CLEANUP => 1);
my $out = `openssl req -x509 -newkey rsa:2048 -nodes -keyout $dir/key.pem -out $dir/cert.pem -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>&1`;
is $?, 0, 'a certificate for 127.0.0.1' or diag $out;

sub wait_status { CarBot::Mail::outbox_status(@_) }

my $tls = CarBot::Mail->new(args => ['--tls-key', "$dir/key.pem", '--tls-cert', "$dir/cert.pem"]);

subtest 'smtp_tls = on with the CA: the mail arrives encrypted' => sub {
	my $t = CarBot::Mail::server($tls, notify => {smtp_tls => 'on', smtp_ca_file => "$dir/cert.pem"});
	my $u = CarBot::Auth::register($t);
	is $u->{status}, 201, 'registered';
	my ($mail) = $tls->wait_for(1, to => $u->{email}, kind => 'verify_email');
	ok $mail, 'the verification mail arrived';
	ok $mail && $mail->{tls}, '... over a STARTTLS session';
	$t->stop_carbotd;
};

subtest 'the certificate of an unknown CA is refused' => sub {
	my $t = CarBot::Mail::server($tls, notify => {smtp_tls => 'on'});
	my $u = CarBot::Auth::register($t);
	my $s = wait_status($t, $u->{email});
	is $s->[0], 'queued', 'not sent';
	like $s->[2] // '', qr/certificate|SSL|issuer/i, 'the reason names the certificate';
	is scalar(my @x = $tls->wait_for(1, to => $u->{email}, timeout => 0)), 0, 'nothing arrived';
	$t->stop_carbotd;
};

my $plain = CarBot::Mail->new;
subtest 'smtp_tls = on against a server without STARTTLS: nothing in clear' => sub {
	my $t = CarBot::Mail::server($plain, notify => {smtp_tls => 'on'});
	my $u = CarBot::Auth::register($t);
	my $s = wait_status($t, $u->{email});
	is $s->[0], 'queued', 'not sent';
	like $s->[2] // '', qr/STARTTLS|SSL|TLS/i, 'the reason is the missing STARTTLS';
	is scalar(my @x = $plain->wait_for(1, to => $u->{email}, timeout => 0)), 0, 'nothing arrived in clear';
	$t->stop_carbotd;
};

subtest 'smtp_tls = try against the same server: plain, as configured' => sub {
	my $t = CarBot::Mail::server($plain, notify => {smtp_tls => 'try'});
	my $u = CarBot::Auth::register($t);
	my ($mail) = $plain->wait_for(1, to => $u->{email}, kind => 'verify_email');
	ok $mail, 'the mail arrived';
	ok $mail && !$mail->{tls}, '... unencrypted, since the server offers no STARTTLS';
	$t->stop_carbotd;
};

done_testing;
