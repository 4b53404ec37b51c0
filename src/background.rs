//! Threads for the work that must give way to the runtime path: imports, pushes, harvest
//! runs and the projections' catch-up run on a runtime of their own whose threads have a lower
//! scheduling priority (a nice value of [`NICE`] on Linux), so that code-list reads and search,
//! served by the main runtime, get the cores first while a big import parses, commits and is
//! projected. Threads these threads start (the RDF store's bulk loader, a scoped projection
//! thread, a SQLite connection's worker) inherit their priority. An idle machine gives the
//! background work all its cores, as before.
//!
//! The caller awaits the work ([`run`]); dropping the caller's future aborts it, as dropping
//! the future itself did when it ran on the caller's runtime.

use std::future::Future;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::OnceLock;

/// How much lower than the process's own priority the background threads run by default
/// (Linux nice: under contention a thread 10 steps nicer gets about a tenth of the CPU time).
pub const NICE: i32 = 10;

static CHOSEN_NICE: AtomicI32 = AtomicI32::new(NICE);

/// Sets how many nice steps below the process the background threads run (0 to 19; `serve
/// --background-nice`). Takes effect for threads started afterwards, so it is set before the
/// first background work.
pub fn set_nice(steps: i32) {
    CHOSEN_NICE.store(steps.clamp(0, 19), Ordering::Relaxed);
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .thread_name("semreg-background")
            .on_thread_start(lower_priority)
            .enable_all()
            .build()
            .expect("cannot start the background runtime")
    })
}

/// Sets the calling thread's nice value to the process's (its main thread's) plus the chosen
/// steps: the same for every background thread, however it was started (a thread started by
/// a background thread already has it). Linux only (nice is per thread there, and a thread
/// started later inherits it); elsewhere, or where it is refused, the thread keeps its
/// priority.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid and setpriority take and return plain integers; the thread changed is
    // the calling thread.
    unsafe {
        libc::setpriority(
            libc::PRIO_PROCESS,
            libc::gettid() as libc::id_t,
            background_nice(),
        );
    }
}

/// The nice value background threads get (the process's plus the chosen steps).
#[cfg(target_os = "linux")]
pub fn background_nice() -> i32 {
    // SAFETY: getpid and getpriority take and return plain integers.
    let process = unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::getpid() as libc::id_t) };
    (process + CHOSEN_NICE.load(Ordering::Relaxed)).min(19)
}

/// Runs `work` on the background runtime and waits for it. A panic in it is resumed here;
/// dropping the returned future aborts the work at its next await.
pub async fn run<F>(work: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);
    impl<T> Drop for AbortOnDrop<T> {
        fn drop(&mut self) {
            self.0.abort();
        }
    }
    let mut task = AbortOnDrop(runtime().spawn(work));
    match (&mut task.0).await {
        Ok(output) => output,
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        // Only an abort cancels it, and only this future's drop aborts it.
        Err(error) => unreachable!("background work cancelled: {error}"),
    }
}

/// Runs a blocking closure on the background runtime's blocking threads and waits for it.
pub async fn run_blocking<F, T>(work: F) -> T
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    run(async move { tokio::task::spawn_blocking(work).await })
        .await
        .unwrap_or_else(|error| std::panic::resume_unwind(error.into_panic()))
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn background_threads_run_at_a_lower_priority() {
        #[cfg(target_os = "linux")]
        {
            let own = unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as _) };
            let (worker, blocking, started) = super::run(async {
                let worker = unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as _) };
                let blocking = tokio::task::spawn_blocking(|| unsafe {
                    libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as _)
                })
                .await
                .unwrap();
                let started = std::thread::spawn(|| unsafe {
                    libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as _)
                })
                .join()
                .unwrap();
                (worker, blocking, started)
            })
            .await;
            let process = unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::getpid() as _) };
            assert_eq!(
                own, process,
                "the test's own thread is not a background thread"
            );
            // The same nice value everywhere: a blocking thread, started by a worker, does not
            // add the steps twice.
            let lower = super::background_nice();
            assert_eq!(lower, (process + super::NICE).min(19));
            assert_eq!((worker, blocking, started), (lower, lower, lower));
        }
    }

    #[tokio::test]
    async fn dropping_the_caller_aborts_the_work() {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let waiting = super::run(async move {
            let _tx = tx; // dropped when the work is aborted
            std::future::pending::<()>().await
        });
        let _ = tokio::time::timeout(std::time::Duration::from_millis(50), waiting).await;
        assert!(rx.await.is_err(), "the aborted work dropped its sender");
    }
}
