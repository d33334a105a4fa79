"""save_video on GraphStepper and TopoSortPlayer: MP4/WebM read back with imageio-ffmpeg's own ffmpeg."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest
from article_graphs import mse_loss

from tests.conftest import require
from widgets import GraphStepper, TopoSortPlayer
from widgets.export import VideoUnavailable


@pytest.fixture(scope="module")
def ffmpeg():
    require("resvg_py", "save_video's frames are drawn by resvg, as the GIF's")
    return require("imageio_ffmpeg", "save_video encodes with the ffmpeg that imageio-ffmpeg ships")


def probe(ffmpeg, path) -> dict:
    """What `ffmpeg -i` says of the file: codec, size, frame rate, duration; and the decoded frame count."""
    out = subprocess.run([ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
                         capture_output=True, text=True).stderr
    stream = re.search(r"Stream #0:0.*?: Video: (\w+).*?, (\d+)x(\d+).*?, ([\d.]+) fps", out)
    assert stream, out
    frames, seconds = ffmpeg.count_frames_and_secs(str(path))
    return {"codec": stream.group(1), "size": (int(stream.group(2)), int(stream.group(3))),
            "fps": float(stream.group(4)), "frames": frames, "seconds": seconds}


PLAYERS = [lambda: GraphStepper(mse_loss()), lambda: TopoSortPlayer(mse_loss())]


@pytest.mark.parametrize("make", PLAYERS, ids=["stepper", "sort player"])
@pytest.mark.parametrize("suffix, codec", [(".mp4", "h264"), (".webm", "vp9")])
def test_video_has_one_frame_per_step_and_holds_the_last(tmp_path, ffmpeg, make, suffix, codec):
    player = make()
    path = player.save_video(tmp_path / f"steps{suffix}", fps=2, hold_last=2)
    info = probe(ffmpeg, path)
    assert info["codec"] == codec
    assert info["fps"] == 2
    # each step one frame at 2 fps; the last step shown 2 s = 4 frames, i.e. 3 more than the others
    assert info["frames"] == len(player.steps) + 3
    assert info["seconds"] == pytest.approx((len(player.steps) + 3) / 2, abs=0.01)
    width, height = info["size"]
    assert width % 2 == 0 and height % 2 == 0  # yuv420p needs even sizes
    first = _gif_first(player, tmp_path)
    assert abs(width - first.shape[1]) <= 1 and abs(height - first.shape[0]) <= 1


def _gif_first(player, tmp_path):
    """The GIF's first frame, as the picture size the video must have (same frames as the GIF)."""
    from PIL import Image

    with Image.open(player.save_gif(tmp_path / "same.gif")) as gif:
        return np.asarray(gif.convert("RGB"))


def test_video_frames_are_the_gif_frames(tmp_path, ffmpeg):
    """The last frame of the video shows the same picture as the GIF's last frame (up to compression)."""
    from PIL import Image

    stepper = GraphStepper(mse_loss())
    video = stepper.save_video(tmp_path / "mse.mp4", hold_last=0)
    reader = ffmpeg.read_frames(str(video))
    meta = reader.__next__()
    decoded = [np.frombuffer(f, np.uint8).reshape(meta["size"][1], meta["size"][0], 3) for f in reader]
    assert len(decoded) == len(stepper.steps)  # hold_last=0: exactly one frame per step
    with Image.open(stepper.save_gif(tmp_path / "mse.gif")) as gif:
        for k in (0, len(stepper.steps) - 1):
            gif.seek(k)
            picture = np.asarray(gif.convert("RGB")).astype(int)
            frame = decoded[k][: picture.shape[0], : picture.shape[1]].astype(int)
            assert np.abs(frame - picture).mean() < 6  # H.264 at crf 20: nearly lossless
    # the steps differ (the first frame has no gradients, the last has them all)
    assert np.abs(decoded[0].astype(int) - decoded[-1].astype(int)).mean() > 1


def test_video_refuses_other_suffixes(tmp_path):
    stepper = GraphStepper(mse_loss())
    for name in ("steps.gif", "steps.mov", "steps"):
        with pytest.raises(ValueError, match=r"\.mp4.*\.webm") as err:
            stepper.save_video(tmp_path / name)
        assert "steps.mp4" in str(err.value)
    with pytest.raises(ValueError, match="fps"):
        stepper.save_video(tmp_path / "a.mp4", fps=0)
    with pytest.raises(ValueError, match="hold_last"):
        stepper.save_video(tmp_path / "a.mp4", hold_last=-1)
    assert not list(tmp_path.iterdir())


def test_video_without_imageio_ffmpeg_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # `import imageio_ffmpeg` now fails
    stepper = GraphStepper(mse_loss())
    with pytest.raises(VideoUnavailable, match=r"pip install imageio-ffmpeg"):
        stepper.save_video(tmp_path / "steps.mp4")
    assert isinstance(VideoUnavailable(), ImportError)
    assert not (tmp_path / "steps.mp4").exists()
    require("resvg_py", "the GIF's frames are drawn by resvg")
    stepper.save_gif(tmp_path / "steps.gif")  # the GIF needs no ffmpeg
