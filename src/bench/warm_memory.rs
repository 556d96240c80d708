//! Keeping freed memory in the process between the engine section's runs.
//!
//! Each engine run builds a cluster whose stores grow to about 60,000 keys
//! per node, then drops it. By default glibc hands such large freed blocks
//! back to the kernel at once, so the next run faults every page of its
//! tables in again and the kernel zeroes them: about a tenth of a run's
//! time, paid by the kernel rather than the engine. A cluster that runs for
//! long (the playground, a server) pays it once, as its stores first grow.
//! While a [`WarmMemory`] lives, freed memory stays with the allocator for
//! the next run to reuse; when it is dropped, glibc's starting thresholds
//! come back (its mmap threshold then stays at that value rather than
//! sliding up as large blocks are freed) and what was kept is handed back.
//!
//! Only the engine section keeps memory: the scale section measures
//! resident memory and must see every page it uses. Elsewhere than on
//! glibc this does nothing.
//!
//! Why `unsafe`: glibc's tuning knobs (`mallopt`, `malloc_trim`) are C
//! functions, reachable only through foreign calls, which Rust marks
//! unsafe. Both only change how the allocator keeps free memory; neither
//! touches memory the program uses. This is the only `unsafe` in the
//! engine and the benchmarks.

/// Keeps freed memory in the process while it lives.
pub struct WarmMemory(());

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod glibc {
    /// glibc's defaults (see mallopt(3)).
    pub const DEFAULT_TRIM_THRESHOLD: libc::c_int = 128 * 1024;
    pub const DEFAULT_MMAP_THRESHOLD: libc::c_int = 128 * 1024;
    /// The largest threshold glibc accepts for serving blocks from its
    /// heaps rather than from fresh mappings: the stores' tables fit.
    pub const MAX_MMAP_THRESHOLD: libc::c_int = 32 * 1024 * 1024;

    pub fn set(trim: libc::c_int, mmap: libc::c_int) {
        // SAFETY: mallopt only changes the allocator's tuning parameters;
        // it takes the allocator's own lock and is safe to call at any time.
        unsafe {
            libc::mallopt(libc::M_TRIM_THRESHOLD, trim);
            libc::mallopt(libc::M_MMAP_THRESHOLD, mmap);
        }
    }

    pub fn hand_back() {
        // SAFETY: malloc_trim only returns free memory to the kernel.
        unsafe {
            libc::malloc_trim(0);
        }
    }
}

impl WarmMemory {
    pub fn new() -> WarmMemory {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        glibc::set(libc::c_int::MAX, glibc::MAX_MMAP_THRESHOLD);
        WarmMemory(())
    }
}

impl Default for WarmMemory {
    fn default() -> Self {
        WarmMemory::new()
    }
}

impl Drop for WarmMemory {
    fn drop(&mut self) {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        {
            glibc::set(glibc::DEFAULT_TRIM_THRESHOLD, glibc::DEFAULT_MMAP_THRESHOLD);
            glibc::hand_back();
        }
    }
}
