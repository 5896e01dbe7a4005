package CarBot::Gdpr;
# Helpers for the gdpr plugin's tests: a carbotd with auth, keys, chat,
# landing (optional) and gdpr, an owner with a key and a conversation, and
# the export archive read back.
use strict;
use warnings;
use File::Temp qw(tempdir);
use IO::Uncompress::Unzip qw($UnzipError);
use JSON::PP;
use CarBot::Test;
use CarBot::Auth;
use CarBot::Keys;
use CarBot::Chat;

our $SECRET = 'gdpr-secret-' . ('g' x 40);

sub server {
	my (%opt) = @_;
	my $gdpr = {secret => $SECRET, %{delete $opt{gdpr} || {}}};
	my $extra = delete $opt{plugins_extra} || [];
	my $t = CarBot::Chat::server(
		auth => {rate_basic => 100000, %{delete $opt{auth} || {}}},
		plugin_conf => {gdpr => $gdpr, %{delete $opt{plugin_conf} || {}}},
		plugins => ['auth', 'keys', 'chat', @$extra, 'gdpr'], %opt);
	return $t;
}

# Polls until the export is done or failed (bounded, generous).
sub wait_export {
	my ($t, $o, $id) = @_;
	my $r;
	for (1 .. 600) {
		$r = $t->get("/api/v1/gdpr/exports/$id", headers => $o->{bearer});
		last if $r->{status} != 200 || $r->{json}{status} =~ /^(done|failed)$/;
		select undef, undef, undef, 0.2;
	}
	return $r;
}

# {name => content} of every member of a ZIP (bytes).
sub unzip {
	my ($bytes) = @_;
	my %out;
	my $u = IO::Uncompress::Unzip->new(\$bytes) or die "unzip: $UnzipError";
	my $status = 1;
	while ($status > 0) {
		my $name = $u->getHeaderInfo->{Name};
		my $data = '';
		my $buf;
		while (($status = $u->read($buf)) > 0) { $data .= $buf }
		$out{$name} = $data;
		last if $status < 0;
		$status = $u->nextStream;
	}
	return \%out;
}

sub ndjson { [map { decode_json($_) } grep { length } split /\n/, $_[0] // ''] }

1;
