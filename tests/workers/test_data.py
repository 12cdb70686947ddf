import numpy as np
import pytest

from workers import data


def test_digits_split_is_non_iid_seeded_and_covers_training_set(digits4):
    again = data.load_digits_split(4, 0.5, 0)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(digits4.owners, again.owners))
    sizes = [len(y) for _, y in digits4.owners]
    assert min(sizes) >= 30 and sum(sizes) + len(digits4.y_test) == 1797
    hists = np.stack([np.bincount(y, minlength=10) / len(y) for _, y in digits4.owners])
    assert np.abs(hists - hists.mean(0)).max() > 0.1  # label skew


def test_load_csv_encodes_labels_and_standardizes(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("a,b,label\n1,10,cat\n2,20,dog\n3,30,cat\n")
    X, y, classes = data.load_csv(p, "label")
    assert classes == ["cat", "dog"] and y.tolist() == [0, 1, 0]
    np.testing.assert_allclose(X.mean(0), 0, atol=1e-6)


@pytest.mark.parametrize("content,match", [
    ("a,b\n1,2\n", "no column 'label'"),
    ("a,label\nx,1\n", "not numeric"),
    ("a,label\n1\n", "fields"),
    ("a,label\n", "at least one data row"),
])
def test_load_csv_errors_are_clear(tmp_path, content, match):
    p = tmp_path / "d.csv"
    p.write_text(content)
    with pytest.raises(data.DataError, match=match):
        data.load_csv(p, "label")
    with pytest.raises(data.DataError, match="no such"):
        data.load_csv(tmp_path / "missing.csv", "label")
