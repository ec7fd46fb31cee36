//! A few long-lived helper threads for splitting one large count across cores.
//!
//! Long-lived because each thread keeps its own piece memo (see `cache`): a helper spawned
//! per call would start cold every time. A caller never waits on a busy pool: once its own
//! part is done it takes back the parts no helper has started and runs them itself, so a
//! parallel count is never much slower than a sequential one, whatever else is running.

use std::collections::VecDeque;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};

/// Helper threads at most, whatever the core count.
const MAX_HELPERS: usize = 7;

const QUEUED: u8 = 0;
const TAKEN: u8 = 1;

/// One part of a caller's work. `job` points into the caller's stack frame, which
/// [`run`] does not leave until every task it queued is finished or taken back.
struct Task {
    job: *const (dyn Fn() -> usize + Sync),
    state: AtomicU8,
    done: Mutex<Option<std::thread::Result<usize>>>,
    finished: Condvar,
}

// SAFETY: `job` is `Sync` and outlives every use (see `Task`).
unsafe impl Send for Task {}
// SAFETY: shared, a `Task` only copies `job` and calls the closure through `&` (which its
// `Sync` bound allows from any thread); its other fields are `Sync` themselves.
unsafe impl Sync for Task {}

impl Task {
    /// Runs the job unless someone else already took it.
    fn try_run(&self) {
        if self.state.compare_exchange(QUEUED, TAKEN, Ordering::AcqRel, Ordering::Acquire).is_err() {
            return;
        }
        // SAFETY: the caller of `run` keeps the closure alive until `done` is set. Only the
        // thread that won the exchange above gets here, and a task still queued after `run`
        // returned is `TAKEN`, so no one dereferences `job` after that.
        let job = unsafe { &*self.job };
        let result = catch_unwind(AssertUnwindSafe(job));
        *self.done.lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
        self.finished.notify_all();
    }

    fn wait(&self) -> std::thread::Result<usize> {
        let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(r) = done.take() {
                return r;
            }
            done = self.finished.wait(done).unwrap_or_else(|e| e.into_inner());
        }
    }
}

struct Pool {
    queue: Mutex<VecDeque<Arc<Task>>>,
    work: Condvar,
    helpers: usize,
}

fn pool() -> Option<&'static Pool> {
    static POOL: OnceLock<Option<&'static Pool>> = OnceLock::new();
    *POOL.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let cap =
            std::env::var("IRONLUNG_THREADS").ok().and_then(|v| v.trim().parse::<usize>().ok()).filter(|&n| n > 0);
        let helpers = cap.map_or(cores, |n| n.min(cores)).saturating_sub(1).min(MAX_HELPERS);
        if helpers == 0 {
            return None;
        }
        let pool: &'static Pool =
            Box::leak(Box::new(Pool { queue: Mutex::new(VecDeque::new()), work: Condvar::new(), helpers }));
        for i in 0..helpers {
            let spawned = std::thread::Builder::new().name(format!("ironlung-count-{i}")).spawn(move || loop {
                let task = {
                    let mut q = pool.queue.lock().unwrap_or_else(|e| e.into_inner());
                    loop {
                        if let Some(t) = q.pop_front() {
                            break t;
                        }
                        q = pool.work.wait(q).unwrap_or_else(|e| e.into_inner());
                    }
                };
                task.try_run();
            });
            if spawned.is_err() {
                // Threads may be unavailable (a sandbox, a limit): callers then run every
                // part themselves, which is still correct.
                break;
            }
        }
        Some(pool)
    })
}

/// How many parts are worth making: the caller plus the helpers.
pub fn width() -> usize {
    pool().map_or(1, |p| p.helpers + 1)
}

/// Runs every job and returns their results in order: the first on this thread, the rest
/// on helpers, or here when no helper has started them by the time the first is done. A
/// panic in any job is resumed here, after all of them have finished.
pub fn run(jobs: &[&(dyn Fn() -> usize + Sync)]) -> Vec<usize> {
    let Some((first, rest)) = jobs.split_first() else {
        return Vec::new();
    };
    let Some(pool) = pool().filter(|_| !rest.is_empty()) else {
        return jobs.iter().map(|j| j()).collect();
    };
    let tasks: Vec<Arc<Task>> = rest
        .iter()
        .map(|&job| {
            // SAFETY: erases the borrow's lifetime; this function does not return (or
            // unwind) before each task has finished or been taken back, see below.
            let job: *const (dyn Fn() -> usize + Sync + 'static) = unsafe { std::mem::transmute(job) };
            Arc::new(Task { job, state: AtomicU8::new(QUEUED), done: Mutex::new(None), finished: Condvar::new() })
        })
        .collect();
    {
        let mut q = pool.queue.lock().unwrap_or_else(|e| e.into_inner());
        q.extend(tasks.iter().cloned());
    }
    pool.work.notify_all();
    let mine = catch_unwind(AssertUnwindSafe(first));
    // Parts no helper has started are run here rather than waited for.
    for t in tasks.iter().rev() {
        t.try_run();
    }
    let mut results = vec![mine];
    results.extend(tasks.iter().map(|t| t.wait()));
    results.into_iter().map(|r| r.unwrap_or_else(|p| resume_unwind(p))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_every_job_in_order_and_resumes_panics() {
        let data: Vec<usize> = (0..1000).collect();
        let sums: Vec<Box<dyn Fn() -> usize + Sync>> = (0..6)
            .map(|k| Box::new(move || (k * 100..(k + 1) * 100).sum::<usize>()) as Box<dyn Fn() -> usize + Sync>)
            .collect();
        let jobs: Vec<&(dyn Fn() -> usize + Sync)> = sums.iter().map(|b| b.as_ref()).collect();
        for _ in 0..200 {
            let got = run(&jobs);
            assert_eq!(got, (0..6).map(|k| data[k * 100..(k + 1) * 100].iter().sum::<usize>()).collect::<Vec<_>>());
        }
        let boom = || -> usize { panic!("part failed") };
        let fine = || 1;
        let r = catch_unwind(|| run(&[&fine, &boom, &fine]));
        assert!(r.is_err());
        // The pool still works after a panic.
        assert_eq!(run(&[&fine, &fine]), vec![1, 1]);
    }
}
