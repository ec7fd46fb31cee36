//! The global allocator: the system's (dlmalloc on wasm32), recording the size of the last
//! allocation that failed. A failed allocation aborts the instance (a trap), and the JS layer
//! reads [`last_failure`] from the trapped instance to report `ERR_OUT_OF_MEMORY` with the size,
//! before it replaces the instance.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

pub struct Recording;

static LAST_FAILURE: AtomicUsize = AtomicUsize::new(0);

fn record(p: *mut u8, size: usize) -> *mut u8 {
    if p.is_null() {
        LAST_FAILURE.store(size.max(1), Relaxed);
    }
    p
}

/// The size of the last allocation that failed, 0 if none has.
pub fn last_failure() -> usize {
    LAST_FAILURE.load(Relaxed)
}

// SAFETY: every method forwards its arguments unchanged to `System`, which upholds the
// `GlobalAlloc` contract; the wrapper only reads the returned pointer and the layout's size.
unsafe impl GlobalAlloc for Recording {
    /// # Safety
    /// [`GlobalAlloc::alloc`]'s: `layout` has a non-zero size.
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: our caller meets `alloc`'s contract for `layout`, passed on unchanged.
        record(unsafe { System.alloc(layout) }, layout.size())
    }
    /// # Safety
    /// [`GlobalAlloc::alloc_zeroed`]'s: `layout` has a non-zero size.
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: our caller meets `alloc_zeroed`'s contract for `layout`, passed on unchanged.
        record(unsafe { System.alloc_zeroed(layout) }, layout.size())
    }
    /// # Safety
    /// [`GlobalAlloc::realloc`]'s: `ptr` is a live block of this allocator with `layout`, and
    /// `new_size` is non-zero and does not overflow `isize` when rounded to the alignment.
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: every block of this allocator is a `System` block with the same layout (each
        // method forwards to `System`), so our caller's guarantees are `System.realloc`'s.
        record(unsafe { System.realloc(ptr, layout, new_size) }, new_size)
    }
    /// # Safety
    /// [`GlobalAlloc::dealloc`]'s: `ptr` is a live block of this allocator with `layout`.
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: every block of this allocator is a `System` block with the same layout, so
        // our caller's guarantees are `System.dealloc`'s.
        unsafe { System.dealloc(ptr, layout) }
    }
}
