//! [`ListView`]: what one tab shows of a list, so that one published change reaches each tab
//! as the patch that fits its view.

use std::collections::BTreeSet;

use super::{IdentifiedElements, Mode, PatchElements};
use crate::{IntoSelector, Selector};

/// The rows one stream's tab shows of a list (by key), kept by that stream's mapping: a change
/// to a row becomes the patch that fits this tab, never one whose target is absent.
///
/// | the tab shows the row | the row belongs in this view | patch |
/// |---|---|---|
/// | yes | yes | the row, by its id (morphed in place) |
/// | no | yes | the row appended to the list (a new row, or one that now matches the filter) |
/// | yes | no | removal by its id (deleted, or no longer matching the filter) |
/// | no | no | none |
///
/// Build it from the rows the stream's first event (its snapshot) renders, own it in the
/// mapping given to [`into_sse`](crate::bus::Subscription::into_sse) (the mapping is the
/// stream's own `FnMut`: one per tab, with that tab's filter), and let [`ListView::len`]
/// give the tab's own count. So tabs that show different things (a search filter, a page, a
/// user's own rows) get only the patches for what they show: no
/// `PatchElementsNoTargetsFound` in the browser console, no row appearing where the filter
/// excludes it, no stale count.
///
/// ```
/// use nitro::prelude::*;
/// use nitro::sse::ListView;
///
/// ids! { LIST = "issues", ISSUE = "issue" }
/// fn row(id: u32, title: &str) -> impl IdentifiedElements + '_ {
///     html! { li #(ISSUE.with(id)) { (title) } }
/// }
///
/// // This tab searches for "bug" and shows issues 1 and 3.
/// let filter = |title: &str| title.contains("bug");
/// let mut view = ListView::new(LIST, [1u32, 3]);
/// let mut change = |id: u32, title: &str| {
///     view.patch(id, ISSUE.with(id), filter(title).then(|| row(id, title)))
///         .map(|p| p.encode().unwrap())
/// };
/// assert!(change(3, "bug: fixed").unwrap().contains("data: elements <li id=\"issue-3\">"));
/// assert!(change(4, "bug: new").unwrap().contains("data: mode append"));
/// assert!(change(1, "feature").unwrap().contains("data: mode remove"));
/// assert_eq!(change(5, "feature"), None); // not shown here, and not wanted
/// assert_eq!(view.len(), 2); // 3 and 4
/// ```
#[derive(Clone, Debug)]
pub struct ListView<K: Ord> {
    list: Selector,
    shown: BTreeSet<K>,
}

impl<K: Ord> ListView<K> {
    /// A view of the list at `list` (where new rows are appended) showing the rows `shown`.
    pub fn new(list: impl IntoSelector, shown: impl IntoIterator<Item = K>) -> ListView<K> {
        ListView {
            list: list.into_selector(),
            shown: shown.into_iter().collect(),
        }
    }

    /// The patch for a change to the row `key`, whose element has the id `id`: `row` is the
    /// row's new element when it belongs in this view, `None` when it does not (deleted, or
    /// filtered out). See the table above; the view then shows what the tab shows.
    pub fn patch<R: IdentifiedElements>(
        &mut self,
        key: K,
        id: impl IntoSelector,
        row: Option<R>,
    ) -> Option<PatchElements> {
        match (self.shown.contains(&key), row) {
            (true, Some(row)) => Some(PatchElements::new(row)),
            (false, Some(row)) => {
                self.shown.insert(key);
                Some(PatchElements::at(self.list.clone(), Mode::Append, row))
            }
            (true, None) => {
                self.shown.remove(&key);
                Some(PatchElements::remove(id))
            }
            (false, None) => None,
        }
    }

    /// Does the tab show the row `key`?
    pub fn contains(&self, key: &K) -> bool {
        self.shown.contains(key)
    }

    /// How many rows the tab shows.
    pub fn len(&self) -> usize {
        self.shown.len()
    }

    /// Does the tab show no row?
    pub fn is_empty(&self) -> bool {
        self.shown.is_empty()
    }
}
