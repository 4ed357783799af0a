#!/usr/bin/python3
"""bitcoind's command line and bitcoin.conf: Core's syntax (-name=value,
-noname, bare -name), network sections and their precedence, -includeconf,
-conf, unknown and misplaced options, conflicting networks, -datadir checks,
option values that make no sense, -help and -version."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_framework.framework import GENESIS_TIME, BitcoinTestFramework  # noqa: E402
from test_framework.test_node import ErrorMatch  # noqa: E402
from test_framework.util import assert_equal, assert_true  # noqa: E402


class ConfigArgsTest(BitcoinTestFramework):
    def set_test_params(self):
        self.num_nodes = 1
        self.setup_clean_chain = True

    def run_test(self):
        node = self.nodes[0]
        self.conf_path = os.path.join(node.datadir, "bitcoin.conf")
        with open(self.conf_path, encoding="utf8") as f:
            self.base_conf = f.read()
        self.stop_node(0)

        self.test_help_and_version()
        self.test_command_line_errors()
        self.test_negation_and_bare_options()
        self.test_sections_and_precedence()
        self.test_includeconf()
        self.test_config_file_errors()
        self.test_misplaced_and_unknown()
        self.test_networks()
        self.test_datadir()
        self.test_option_values()

        self.write_conf("")
        self.start_node(0)

    # --- helpers -----------------------------------------------------------------------
    def write_conf(self, extra_top="", extra_regtest=""):
        """The framework's bitcoin.conf with lines added at the top and to [regtest]."""
        # The framework's file starts with regtest=1, then its [regtest] section.
        head, section = self.base_conf.split("[regtest]\n", 1)
        with open(self.conf_path, "w", encoding="utf8") as f:
            f.write(head + extra_top + "[regtest]\n" + extra_regtest + section)

    def run_bitcoind(self, *args):
        node = self.nodes[0]
        proc = subprocess.run([node.binary, *args], capture_output=True, text=True, timeout=60)
        return proc.returncode, proc.stdout, proc.stderr

    def init_error(self, extra_args, message, match=ErrorMatch.FULL_TEXT):
        self.nodes[0].assert_start_raises_init_error(extra_args, message, match=match)

    def pid_path(self, name="bitcoind.pid"):
        return os.path.join(self.nodes[0].chain_path, name)

    def start_and_check_pid(self, extra_args, expected_name, absent=()):
        """Starts with extra_args, checks which pid file the node wrote, stops."""
        node = self.nodes[0]
        self.start_node(0, extra_args)
        assert_true(os.path.exists(self.pid_path(expected_name)), f"{expected_name} written for {extra_args}")
        with open(self.pid_path(expected_name), encoding="utf8") as f:
            assert_equal(int(f.read().strip()), node.process.pid, "pid file content")
        for name in absent:
            assert_true(not os.path.exists(self.pid_path(name)), f"{name} not written")
        self.stop_node(0)
        assert_true(not os.path.exists(self.pid_path(expected_name)), "pid file removed at shutdown")

    # --- tests -------------------------------------------------------------------------
    def test_help_and_version(self):
        self.log.info("-help lists the options with Core's names and defaults; -version prints the version")
        code, out, err = self.run_bitcoind("-help")
        assert_equal(code, 0, "-help exit code")
        assert_equal(err, "", "-help stderr")
        for text in ("Usage: bitcoind [options]", "-dbcache=<n>", "default: 450", "-datadir=<dir>", "-conf=<file>",
                     "-pid=<file>", "default: bitcoind.pid", "-prune=<n>", "-txindex", "-daemon", "-daemonwait",
                     "-debug=<category>", "-printtoconsole", "-chain=<chain>", "-regtest", "-testnet4",
                     "-includeconf=<file>", "-reindex-chainstate", "-assumevalid=<hex>", "-rpcport=<port>"):
            assert_true(text in out, f"-help mentions {text!r}")
        self.log.info("debug-only options appear with -help-debug only")
        assert_true("-mocktime=<n>" not in out, "-mocktime hidden without -help-debug")
        code, out_debug, _ = self.run_bitcoind("-help-debug")
        assert_equal(code, 0, "-help-debug exit code")
        assert_true("-mocktime=<n>" in out_debug and "-logthreadnames" in out_debug, "-help-debug lists debug options")
        for alias in ("-h", "-?"):
            code, out_alias, _ = self.run_bitcoind(alias)
            assert_equal((code, out_alias), (0, out), f"{alias} is -help")
        code, out, _ = self.run_bitcoind("-version")
        assert_equal(code, 0, "-version exit code")
        assert_true(re.match(r"\S+ daemon version v\d+\.\d+\.\d+", out), f"-version output {out!r}")

    def test_command_line_errors(self):
        self.log.info("unknown options and stray words on the command line are errors naming them")
        self.init_error(["-foo"], "Error: Error parsing command line arguments: Invalid parameter -foo")
        self.init_error(["-nofoo=1"], "Invalid parameter -nofoo", ErrorMatch.PARTIAL_REGEX)
        self.init_error(["-regtest", "stray"],
                        "Error: Command line contains unexpected token 'stray', see bitcoind -h for a list of options.")
        self.log.info("-includeconf is for configuration files only")
        self.init_error(["-includeconf=other.conf"], "-includeconf cannot be used from commandline",
                        ErrorMatch.PARTIAL_REGEX)

    def test_negation_and_bare_options(self):
        self.log.info("-noname negates, a bare -name means 1")
        self.start_node(0, ["-nopid"])
        assert_true(not os.path.exists(self.pid_path()), "-nopid: no pid file")
        self.stop_node(0)
        self.start_node(0, ["-pid=0"])  # not a negation: a file called 0
        assert_true(os.path.exists(self.pid_path("0")), "-pid=0 names a file")
        self.stop_node(0)
        self.log.info("-printtoconsole (bare) and -noprinttoconsole=0 (double negation) log to stdout")
        node = self.nodes[0]
        for args in (["-printtoconsole"], ["-noprinttoconsole=0"], []):
            self.start_node(0, args)
            if args:
                self.wait_until(lambda: "init message: Done loading" in node.read_stdout(), timeout=10)
            else:
                assert_equal(node.read_stdout(), "", "printtoconsole=0 from bitcoin.conf: nothing on stdout")
            self.stop_node(0)
        self.log.info("the last value of an option wins")
        self.start_and_check_pid(["-pid=first.pid", "-pid=second.pid"], "second.pid", absent=("first.pid",))

    def test_sections_and_precedence(self):
        self.log.info("the network's section beats the top of the file; the command line beats both")
        self.write_conf(extra_top="pid=top.pid\n", extra_regtest="pid=section.pid\n")
        self.start_and_check_pid([], "section.pid", absent=("top.pid",))
        self.start_and_check_pid(["-pid=cli.pid"], "cli.pid", absent=("top.pid", "section.pid"))
        self.log.info("top-of-file values apply when the section does not set them")
        self.write_conf(extra_top="pid=top.pid\n")
        self.start_and_check_pid([], "top.pid")
        self.log.info("other networks' sections are ignored, also in the regtest.name=value form")
        self.write_conf(extra_top="[main]\npid=main.pid\n[test]\npid=test.pid\n[signet]\npid=signet.pid\n"
                                  "[testnet4]\npid=testnet4.pid\n[regtest]\n")
        self.start_and_check_pid([], "bitcoind.pid",
                                 absent=("main.pid", "test.pid", "signet.pid", "testnet4.pid"))
        self.write_conf(extra_top="regtest.pid=dotted.pid\ntest.pid=dotted-test.pid\n")
        self.start_and_check_pid([], "dotted.pid", absent=("dotted-test.pid",))
        self.log.info("negation in the file: nopid=1")
        self.write_conf(extra_regtest="nopid=1\n")
        self.start_node(0)
        assert_true(not os.path.exists(self.pid_path()), "nopid=1 in [regtest]: no pid file")
        self.stop_node(0)
        self.log.info("comments and blank lines")
        self.write_conf(extra_regtest="# a comment\n\n   pid = spaced.pid   # trailing comment\n")
        self.start_and_check_pid([], "spaced.pid")
        self.write_conf()

    def test_includeconf(self):
        self.log.info("-includeconf reads more files, relative to the datadir")
        node = self.nodes[0]
        with open(os.path.join(node.datadir, "included.conf"), "w", encoding="utf8") as f:
            f.write("pid=included.pid\n")
        self.write_conf(extra_regtest="includeconf=included.conf\n")
        self.start_and_check_pid([], "included.pid")
        self.log.info("a missing included file is an error naming it")
        self.write_conf(extra_regtest="includeconf=missing.conf\n")
        self.init_error([], r"^Error: Error reading configuration file: .*missing\.conf", ErrorMatch.PARTIAL_REGEX)
        self.write_conf()

        self.log.info("-conf picks another file; a missing -conf file is an error")
        other = os.path.join(node.datadir, "other.conf")
        with open(other, "w", encoding="utf8") as f:
            f.write(self.base_conf.replace("[regtest]\n", "[regtest]\npid=other.pid\n"))
        self.start_and_check_pid([f"-conf={other}"], "other.pid")
        self.start_and_check_pid(["-conf=other.conf"], "other.pid")  # relative to the datadir
        self.init_error([f"-conf={os.path.join(node.datadir, 'nothere.conf')}"],
                        r"^Error: Error reading configuration file: .*nothere\.conf", ErrorMatch.PARTIAL_REGEX)

    def test_config_file_errors(self):
        self.log.info("syntax errors in bitcoin.conf name the problem")
        self.write_conf(extra_regtest="-pid=dash.pid\n")
        self.init_error([], r"^Error: Error reading configuration file: .*-pid", ErrorMatch.PARTIAL_REGEX)
        self.write_conf(extra_regtest="this line has no equals sign\n")
        self.init_error([], r"^Error: Error reading configuration file: ", ErrorMatch.PARTIAL_REGEX)
        self.write_conf(extra_regtest="nopid\n")
        self.init_error([], r"^Error: Error reading configuration file: .*nopid", ErrorMatch.PARTIAL_REGEX)
        self.write_conf(extra_top="conf=elsewhere.conf\n")
        self.init_error([], r"^Error: Error reading configuration file: .*conf", ErrorMatch.PARTIAL_REGEX)
        self.write_conf()

    def test_misplaced_and_unknown(self):
        self.log.info("a network-only option at the top of the file, for another network, is an error")
        node = self.nodes[0]
        conf = self.base_conf.replace(f"port={node.p2p_port}\n", "")
        with open(self.conf_path, "w", encoding="utf8") as f:
            f.write(f"port={node.p2p_port}\n" + conf)
        self.init_error([], "Error: Config setting for -port only applied on regtest network when in [regtest] section.")
        self.log.info("... but not when the network's section or the command line sets it too")
        self.start_node(0, [f"-port={node.p2p_port}"])
        self.stop_node(0)

        self.log.info("an unknown section is a warning naming it")
        self.write_conf(extra_top="[nosuchnet]\npid=x.pid\n")
        node.start([])
        node.wait_for_rpc_connection()
        node.stop_node(expected_stderr="Warning: Section [nosuchnet] is not recognized.")

        self.log.info("unknown keys in the file are skipped as Core does (the file is shared with bitcoin-cli)")
        self.write_conf(extra_regtest="rpcwait=1\nnosuchoption=1\n")
        with node.assert_debug_log(["Ignoring unknown configuration value regtest.nosuchoption"]):
            self.start_node(0)
        self.stop_node(0)
        self.write_conf()

    def test_networks(self):
        self.log.info("conflicting network options are an error")
        for args in (["-testnet"], ["-signet"], ["-chain=main"], ["-testnet4"]):
            # the framework's bitcoin.conf says regtest=1
            self.init_error(args, "Error: Invalid combination of -regtest, -signet, -testnet, -testnet4 and -chain. "
                                  "Can use at most one.")
        self.init_error(["-regtest=0", "-chain=nosuchchain"], "nosuchchain", ErrorMatch.PARTIAL_REGEX)
        self.log.info("-regtest=0 -chain=regtest works")
        self.start_node(0, ["-regtest=0", "-chain=regtest"])
        assert_equal(self.nodes[0].getblockchaininfo()["chain"], "regtest")
        self.stop_node(0)

    def test_datadir(self):
        self.log.info("a -datadir that does not exist is an error")
        node = self.nodes[0]
        missing = os.path.join(self.options.tmpdir, "nonexistent")
        proc = subprocess.run([node.binary, f"-datadir={missing}", "-regtest"], capture_output=True, text=True,
                              timeout=60)
        assert_equal(proc.returncode, 1, "exit code")
        assert_equal(proc.stderr.strip(), f'Error: Specified data directory "{missing}" does not exist.')
        self.log.info("... also when it comes from the config file")
        conf = os.path.join(self.options.tmpdir, "datadir.conf")
        with open(conf, "w", encoding="utf8") as f:
            f.write(f"datadir={missing}\n")
        code, _, err = self.run_bitcoind(f"-conf={conf}", "-regtest")
        # Core's wording for this case (ArgsManager::ReadConfigFiles checks it)
        assert_equal((code, err.strip()), (1, "Error: Error reading configuration file: "
                                              f'specified data directory "{missing}" does not exist.'))
        self.log.info("the network's subdirectory is created, with blocks/ and chainstate/")
        fresh = os.path.join(self.options.tmpdir, "fresh")
        os.makedirs(fresh)
        with open(os.path.join(fresh, "bitcoin.conf"), "w", encoding="utf8") as f:
            f.write(self.base_conf)
        node.start([f"-datadir={fresh}"])  # later -datadir wins over the framework's
        self.nodes[0].cookie_path = os.path.join(fresh, "regtest", ".cookie")
        node.wait_for_rpc_connection()
        for sub in ("regtest/blocks", "regtest/chainstate", "regtest/debug.log", "regtest/.lock"):
            assert_true(os.path.exists(os.path.join(fresh, sub)), f"{sub} created")
        node.stop_node()
        assert_true(not os.path.exists(os.path.join(fresh, "regtest", ".cookie")), "cookie removed at shutdown")
        self.nodes[0].cookie_path = os.path.join(node.chain_path, ".cookie")

    def test_option_values(self):
        self.log.info("option values that make no sense are errors")
        self.init_error(["-prune=-1"], "Error: Prune cannot be configured with a negative value.")
        self.init_error(["-prune=100"], "Error: Prune configured below the minimum of 550 MiB.  Please use a higher number.")
        self.init_error(["-prune=1", "-txindex"], "Error: Prune mode is incompatible with -txindex.")
        self.init_error(["-prune=1", "-reindex-chainstate"],
                        "Error: Prune mode is incompatible with -reindex-chainstate. Use full -reindex instead.")
        self.init_error(["-assumevalid=xyz"],
                        "Error: Invalid assumevalid block hash specified (xyz), must be up to 64 hex digits (or 0 to disable)")
        self.init_error(["-minimumchainwork=xyz"],
                        "Error: Invalid minimum work specified (xyz), must be up to 64 hex digits")
        self.init_error(["-debug=nosuchcategory"], "Error: Unsupported logging category -debug=nosuchcategory.")
        self.init_error(["-mocktime=-5"], "Error: -mocktime cannot be negative")
        self.log.info("accepted values start the node")
        self.start_node(0, ["-txindex", "-assumevalid=0x1234", "-par=-1", "-dbcache=100000"])
        self.stop_node(0)
        # A clean chain: with the clock just past genesis, only -minimumchainwork decides initial block download.
        for work, ibd in (("0x2", False), ("0x3", True)):  # genesis has work 2
            self.start_node(0, [f"-minimumchainwork={work}", f"-mocktime={GENESIS_TIME + 60}"])
            assert_equal(self.nodes[0].getblockchaininfo()["initialblockdownload"], ibd, f"-minimumchainwork={work}")
            self.stop_node(0)
        self.start_node(0)
        self.stop_node(0)
        self.start_node(0, ["-prune=1", "-dbcache=4", "-par=2", "-assumevalid=0", "-mocktime=1700000000"])
        assert_equal(self.nodes[0].getblockchaininfo()["pruned"], True, "-prune=1 is a pruned node")
        self.stop_node(0)


if __name__ == "__main__":
    ConfigArgsTest().main()
