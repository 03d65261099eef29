import argparse
import sys

import pytest
import yaml

from corpora.cli_common import add_common_flags, parse_args, run_cli, save_resolved_config
from corpora.errors import InputError


def _parser():
    parser = argparse.ArgumentParser(prog="x")
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("go")
    add_common_flags(p)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--out", required=True)

    def func(args):
        if args.epochs < 0:
            raise InputError("epochs must be >= 0")
        return 0

    p.set_defaults(func=func)
    return parser


def test_config_defaults_and_cli_override(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("epochs: 7\nout: here\n")
    args = parse_args(_parser(), ["go", "-c", str(cfg)])
    assert args.epochs == 7 and args.out == "here"
    args = parse_args(_parser(), ["go", "-c", str(cfg), "--epochs", "2"])
    assert args.epochs == 2


def test_config_unknown_key(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("epoch: 7\n")
    with pytest.raises(InputError, match="unknown key 'epoch'.*epochs"):
        parse_args(_parser(), ["go", "--out", "o", "-c", str(cfg)])


def test_resolved_config_roundtrip(tmp_path):
    args = parse_args(_parser(), ["go", "--out", "o"])
    path = save_resolved_config(args, tmp_path / "config.yaml")
    data = yaml.safe_load(path.read_text())
    assert data["epochs"] == 3 and data["out"] == "o" and "func" not in data


def test_run_cli_input_error_is_one_line(capsys):
    rc = run_cli("x", _parser, ["go", "--out", "o", "--epochs", "-1"])
    assert rc == 2
    err = capsys.readouterr().err
    assert err.strip() == "x: error: epochs must be >= 0"


# ------------------------------------------------------------------ issue 16: shared plumbing
def test_cgroup_cpu_limit_v2_and_v1(tmp_path):
    from corpora.cli_common import cgroup_cpu_limit

    v2 = tmp_path / "v2"
    (v2 / "user.slice" / "job").mkdir(parents=True)
    (v2 / "cpu.max").write_text("max 100000\n")
    (v2 / "user.slice" / "cpu.max").write_text("300000 100000\n")
    (v2 / "user.slice" / "job" / "cpu.max").write_text("150000 100000\n")
    proc = tmp_path / "cgroup2"
    proc.write_text("0::/user.slice/job\n")
    assert cgroup_cpu_limit(v2, proc) == 1.5  # the smallest over the cgroup and its ancestors
    (v2 / "user.slice" / "job" / "cpu.max").write_text("max 100000\n")
    assert cgroup_cpu_limit(v2, proc) == 3.0
    v1 = tmp_path / "v1"
    (v1 / "cpu,cpuacct" / "docker" / "abc").mkdir(parents=True)
    (v1 / "cpu,cpuacct" / "docker" / "abc" / "cpu.cfs_quota_us").write_text("200000\n")
    (v1 / "cpu,cpuacct" / "docker" / "abc" / "cpu.cfs_period_us").write_text("100000\n")
    proc1 = tmp_path / "cgroup1"
    proc1.write_text("4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n")
    assert cgroup_cpu_limit(v1, proc1) == 2.0
    (v1 / "cpu,cpuacct" / "docker" / "abc" / "cpu.cfs_quota_us").write_text("-1\n")
    assert cgroup_cpu_limit(v1, proc1) is None
    # in a container the recorded path is absent below the mount: the mount itself is read
    proc1.write_text("3:cpu,cpuacct:/elsewhere/xyz\n")
    (v1 / "cpu,cpuacct" / "cpu.cfs_quota_us").write_text("50000\n")
    (v1 / "cpu,cpuacct" / "cpu.cfs_period_us").write_text("100000\n")
    assert cgroup_cpu_limit(v1, proc1) == 0.5
    assert cgroup_cpu_limit(tmp_path / "none", tmp_path / "missing") is None


def test_usable_cpus_takes_the_quota(monkeypatch):
    from corpora import cli_common

    monkeypatch.setattr(cli_common.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    monkeypatch.setattr(cli_common, "cgroup_cpu_limit", lambda: 2.5)
    assert cli_common.usable_cpus() == 2
    monkeypatch.setattr(cli_common, "cgroup_cpu_limit", lambda: 0.5)
    assert cli_common.usable_cpus() == 1
    monkeypatch.setattr(cli_common, "cgroup_cpu_limit", lambda: None)
    assert cli_common.usable_cpus() == 4


def test_choose_threads_policy(monkeypatch):
    from corpora.cli_common import choose_threads

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert choose_threads(3, workers=2, cpus=2) == (3, "--threads")
    assert choose_threads(None, 0, cpus=2)[0] == 1  # one CPU left to other processes
    assert choose_threads(None, 0, cpus=8)[0] == 7
    assert choose_threads(None, 2, cpus=8) == (
        5,
        "8 usable CPUs, 2 loader workers, 1 CPU left to other processes",
    )
    assert choose_threads(None, 4, cpus=4)[0] == 1
    assert choose_threads(None, 0, cpus=1) == (1, "1 usable CPU, 0 loader workers")
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert choose_threads(None, 0, cpus=8) == (3, "OMP_NUM_THREADS")
    assert choose_threads(None, 0, cpus=8, use_env=False)[0] == 7
    with pytest.raises(InputError, match="--threads must be >= 1"):
        choose_threads(0)


def test_command_parser_builds_lazily_and_shows_defaults(tmp_path):
    from corpora.cli_common import iter_parsers, make_parser

    built = []
    module = tmp_path / "lazy_cmd_for_test.py"
    module.write_text(
        "def register(subparsers):\n"
        "    p = subparsers.add_parser('go', help='go somewhere')\n"
        "    def build(parser):\n"
        "        BUILT.append(1)\n"
        "        parser.add_argument('--speed', type=int, default=3, help='how fast')\n"
        "        parser.add_argument('--name', default='x', help='a name (default: %(default)s)')\n"
        "    p.build_later(build)\n"
        "    p.set_defaults(func=lambda args: 0)\n"
    )
    import sys

    sys.path.insert(0, str(tmp_path))
    try:
        import lazy_cmd_for_test

        lazy_cmd_for_test.BUILT = built
        parser = make_parser("x", "test", ["lazy_cmd_for_test"])
        assert "go somewhere" in parser.format_help() and built == []  # top help: not built
        assert parser.parse_args(["go", "--speed", "5"]).speed == 5 and built == [1]
        text = dict(iter_parsers(parser))[("go",)].format_help()
        assert "how fast (default: 3)" in text and "a name (default: x)" in text
        assert text.count("default") == 2
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("lazy_cmd_for_test", None)


_PIPE_SCRIPT = """
import argparse, sys
from corpora.cli_common import run_cli

def parser():
    p = argparse.ArgumentParser(prog="demo")
    sub = p.add_subparsers()
    s = sub.add_parser("dump")
    s.add_argument("--lines", type=int, default=200000)
    s.set_defaults(func=lambda a: [print("row", i) for i in range(a.lines)] and 0)
    return p

sys.exit(run_cli("demo", parser, sys.argv[1:]))
"""


@pytest.mark.parametrize("lines", [200_000, 2_000])
def test_closed_stdout_is_not_a_traceback(lines: int) -> None:
    """``prog ... | head -1``: the reader closes the pipe while we print (many lines) or before
    the final flush (a few, still buffered); either way no traceback and the SIGPIPE status."""
    import subprocess

    proc = subprocess.Popen(
        [sys.executable, "-c", _PIPE_SCRIPT, "dump", "--lines", str(lines)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    rc = proc.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert rc in (0, 141)
