//! Resolving siblings: the value a client writes back to end a conflict.
//!
//! Dynamo leaves reconciliation to the application; the cart service of the
//! paper merges carts by taking the union of their items. Values made of
//! comma-separated items merge item by item; other values merge letter by
//! letter, which is how the cart story spells its items. The union keeps an
//! item as many times as the sibling that has it most: CARR holds two Rs,
//! so CARM ∪ CARR = CARMR.

/// The union of `lists`: every item, as many times as the list that has it
/// most, in the order items first appear.
fn multiset_union<T: PartialEq + Copy>(lists: &[Vec<T>]) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for list in lists {
        for (i, item) in list.iter().enumerate() {
            let here = list[..=i].iter().filter(|x| *x == item).count();
            let have = out.iter().filter(|x| *x == item).count();
            if have < here {
                out.push(*item);
            }
        }
    }
    out
}

/// The union of the siblings' items.
pub fn union_of_items<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let values: Vec<&str> = values.into_iter().collect();
    if values.iter().any(|v| v.contains(',')) {
        let lists: Vec<Vec<&str>> = values
            .iter()
            .map(|v| v.split(',').map(str::trim).filter(|i| !i.is_empty()).collect())
            .collect();
        multiset_union(&lists).join(",")
    } else {
        let lists: Vec<Vec<char>> = values.iter().map(|v| v.chars().collect()).collect();
        multiset_union(&lists).into_iter().collect()
    }
}

/// Quotes a value for the command line when it holds spaces.
pub fn quote(value: &str) -> String {
    if value.chars().any(char::is_whitespace) || value.is_empty() {
        format!("\"{value}\"")
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cart_story_merges_to_carmr() {
        assert_eq!(union_of_items(["CARM", "CARR"]), "CARMR");
        assert_eq!(union_of_items(["CART", "CAR"]), "CART");
        assert_eq!(union_of_items(["CARR", "CARM"]), "CARRM");
        assert_eq!(union_of_items(["AB"]), "AB");
    }

    #[test]
    fn comma_lists_merge_by_item() {
        assert_eq!(union_of_items(["milk,eggs", "milk, bread"]), "milk,eggs,bread");
        assert_eq!(union_of_items(["a,b", "c"]), "a,b,c");
    }

    #[test]
    fn quoting_keeps_spaces_in_one_word() {
        assert_eq!(quote("CAR"), "CAR");
        assert_eq!(quote("two words"), "\"two words\"");
        assert_eq!(quote(""), "\"\"");
    }
}
