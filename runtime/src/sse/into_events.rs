//! Each event builder converts into [`Events`], so the arms of a `match` that send different
//! kinds of event can share one type: `.into()` on each arm.

use super::{Events, ExecuteScript, PatchElements, PatchSignals};

macro_rules! into_events {
    ($($ty:ident),*) => {$(
        impl From<$ty> for Events {
            /// A batch of this one event: arms of a `match` returning different builders
            /// meet in [`Events`] with `.into()`.
            fn from(event: $ty) -> Events {
                Events::new().with(event)
            }
        }
    )*};
}

into_events!(PatchElements, PatchSignals, ExecuteScript);

#[cfg(test)]
mod tests {
    use crate::sse::{Event, Events, ExecuteScript, PatchSignals};

    /// Different builders in the arms of one `match`, each `.into()` the same `Events`.
    #[test]
    fn match_arms_meet_in_events() {
        let answer = |saved: bool| -> Events {
            match saved {
                true => PatchSignals::raw("{\"saved\":true}").into(),
                false => ExecuteScript::new("alert(1)").into(),
            }
        };
        assert_eq!(
            answer(true).encode().unwrap(),
            PatchSignals::raw("{\"saved\":true}").encode().unwrap()
        );
        assert_eq!(
            answer(false).encode().unwrap(),
            ExecuteScript::new("alert(1)").encode().unwrap()
        );
    }
}
