#!/usr/bin/perl
use lib 't/lib';
use CarBot::Unit;
CarBot::Unit::run('netguard');
