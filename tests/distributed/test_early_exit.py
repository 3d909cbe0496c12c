"""``mpiexec -n 2`` jobs where one rank leaves early or the ranks take different numbers of steps: the job ends
promptly (not after the collective timeout, 10 minutes in these scripts) with the rank's exit status and a
message saying what happened; an error every rank meets is printed once."""

from __future__ import annotations

import pytest

from ._launch import run, run_script

pytest.importorskip("mpi4py")

LEFT = "has exited (status {}) while this rank waits in"


@pytest.mark.parametrize("case, code, status", [("exit3", 3, 3), ("exit0", 1, 0)])
def test_sys_exit_on_one_rank_ends_the_job(case: str, code: int, status: int) -> None:
    job = run_script("early_exit.py", case, timeout=120)   # the timeout only guards the test run against a hang
    assert job.code == code, job
    assert "rank 1 " + LEFT.format(status) + " all_reduce" in " ".join(job.err.split()), job
    assert f"Ending the job with status {code}" in job.err, job
    assert "got past the collective" not in job.out, job


def test_a_rank_with_fewer_batches_in_a_training_loop(tmp_path) -> None:
    job = run_script("early_exit.py", "uneven-loop", timeout=120)
    assert job.code == 1, job
    err = " ".join(job.err.split())
    assert "rank 1 " + LEFT.format(0) + " DistributedDataParallel's gradient allreduce" in err, job
    assert "different numbers of batches" in err and "DistributedSampler" in err, job
    assert "rank 0 finished" not in job.out, job


def test_fit_refuses_ranks_with_different_batch_counts_once(tmp_path) -> None:
    job = run_script("early_exit.py", "uneven-fit", timeout=120)
    assert job.code == 1, job
    err = " ".join(job.err.split())
    assert "different numbers of batches per epoch (from 3 to 4; rank 0 has 4)" in err, job
    assert err.count("different numbers of batches per epoch") == 1, job   # rank 0 reports it; not once per rank
    assert "finished fit" not in job.out, job


def test_ranks_that_finish_at_different_times_end_normally(tmp_path) -> None:
    job = run_script("early_exit.py", "normal", timeout=120)
    assert job.code == 0, job
    assert "rank 0 wrote its results" in job.out and "has exited" not in job.err, job


def test_a_cli_user_error_is_printed_once(tmp_path) -> None:
    job = run(["python", "-m", "chainrule", "train", "--dataset", "moons", "--n-samples", "200", "--epochs", "1",
               "--batch-size", "33", "--out", str(tmp_path / "r")], timeout=120)
    assert job.code == 2, job
    assert " ".join(job.err.split()).count("--batch-size 33 is the global batch") == 1, job
