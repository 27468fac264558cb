"""A class-conditional GAN for teacher-guided generation from few real images: generator, ADC discriminator, and a
student that shares its teacher's classifier.

* :class:`ConditionalGenerator` — (z, y) → images in [0, 1]: DCGAN-style (the layout of ``DCGANGenerator``) with
  the class entering as a learned embedding concatenated to z. The reference GAN (ADCGAN on BigGAN-PyTorch,
  official-code-notes D.2) conditions through class-conditional BatchNorm and outputs tanh in [−1, 1]; kdnb keeps
  every image in [0, 1] and uses the simpler concatenation (a choice, said here).
* :class:`TrackedGenerator` — the generator being trained plus what must be checkpointed with it: an exponential
  moving average of its weights (the EMA generator; BigGAN's ``--ema --ema_start``) and the per-class counts n_c of
  the category-frequency smoothing (HiDFD Eq. 10), both as buffers, so the engine's checkpoint of this learner holds
  them and a killed run resumes exactly.
* :class:`ADCDiscriminator` — Φ_D (two stride-2 convolutions, a linear layer; spectral norm as in the code) and
  three heads: the adversarial logit, the auxiliary discriminative classifier Ψ_D over **2C** classes (label 2y =
  real of class y, 2y + 1 = fake of class y: ADCGAN's order), and a linear map of Φ_D to the teacher's feature width
  (the code's ``out_h``), which the teacher-guided losses compare with the teacher's penultimate features.
* :class:`SharedClassifier` — classifier sharing: a student's penultimate features, a projector to the teacher's
  feature width, then the teacher's frozen last linear layer.
"""
from __future__ import annotations

import copy

import torch
from torch import nn
import torch.nn.functional as F
from torch.nn.utils.parametrizations import spectral_norm


class ConditionalGenerator(nn.Module):
    """(z (B, z_dim), y (B,)) → images (B, channels, image_size, image_size) in [0, 1]; ``image_size`` divisible
    by 4. Linear([z, emb(y)] → w·s·s) → BN → ReLU → ×2 → conv → BN → ReLU → ×2 → conv(w/2) → BN → ReLU → conv →
    sigmoid."""

    def __init__(self, z_dim: int, num_classes: int, channels: int = 1, image_size: int = 28, width: int = 64):
        super().__init__()
        if image_size % 4 or width < 2 or width % 2:
            raise ValueError(f"the conditional generator needs image_size divisible by 4 and an even width ≥ 2, got "
                             f"image_size={image_size}, width={width}")
        self.z_dim, self.num_classes, self.width, self.init = z_dim, num_classes, width, image_size // 4
        self.embed = nn.Embedding(num_classes, z_dim)
        self.l1 = nn.Linear(2 * z_dim, width * self.init ** 2)
        self.bn0 = nn.BatchNorm2d(width)
        self.conv1, self.bn1 = nn.Conv2d(width, width, 3, 1, 1), nn.BatchNorm2d(width)
        self.conv2, self.bn2 = nn.Conv2d(width, width // 2, 3, 1, 1), nn.BatchNorm2d(width // 2)
        self.out = nn.Conv2d(width // 2, channels, 3, 1, 1)

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        h = self.l1(torch.cat([z, self.embed(y)], 1)).view(len(z), self.width, self.init, self.init)
        h = F.relu(self.bn0(h))
        h = F.relu(self.bn1(self.conv1(F.interpolate(h, scale_factor=2, mode="nearest"))))
        h = F.relu(self.bn2(self.conv2(F.interpolate(h, scale_factor=2, mode="nearest"))))
        return torch.sigmoid(self.out(h))


class TrackedGenerator(nn.Module):
    """The trained generator ``net``, its EMA copy ``ema`` (no gradient) and the class counts ``class_counts``
    (n_c of Eq. 10, initialised to ``init_count``; the code's 50). ``forward`` is ``net``'s."""

    def __init__(self, net: ConditionalGenerator, init_count: float = 50.0):
        super().__init__()
        self.net = net
        self.ema = copy.deepcopy(net).requires_grad_(False)
        self.register_buffer("class_counts", torch.full((net.num_classes,), float(init_count)))
        self.register_buffer("steps", torch.zeros((), dtype=torch.long))

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.net(z, y)

    @torch.no_grad()
    def update_ema(self, decay: float, start: int = 0) -> None:
        """After a generator step: ema ← decay·ema + (1 − decay)·net, a plain copy during the first ``start`` steps
        (BigGAN's ``ema_start``); BatchNorm statistics are copied."""
        self.steps += 1
        d = decay if int(self.steps) > start else 0.0
        for pe, p in zip(self.ema.parameters(), self.net.parameters()):
            pe.mul_(d).add_(p.detach(), alpha=1 - d)
        for be, b in zip(self.ema.buffers(), self.net.buffers()):
            be.copy_(b)


class ADCDiscriminator(nn.Module):
    """Images in [0, 1] → (adversarial logit (B,), 2C class logits (B, 2C), teacher-width features (B, teacher_dim)).

    ``features(x)`` is Φ_D(x). Spectral norm on every layer when ``sn`` (BigGAN's D, which the code uses).
    """

    def __init__(self, num_classes: int, channels: int = 1, image_size: int = 28, width: int = 32,
                 feature_dim: int = 128, teacher_dim: int = 84, sn: bool = True):
        super().__init__()
        if image_size % 4:
            raise ValueError(f"the ADC discriminator needs image_size divisible by 4, got {image_size}")
        norm = spectral_norm if sn else (lambda m: m)
        self.num_classes = num_classes
        self.conv1 = norm(nn.Conv2d(channels, width, 4, 2, 1))
        self.conv2 = norm(nn.Conv2d(width, 2 * width, 4, 2, 1))
        self.fc = norm(nn.Linear(2 * width * (image_size // 4) ** 2, feature_dim))
        self.adv = norm(nn.Linear(feature_dim, 1))
        self.adc = norm(nn.Linear(feature_dim, 2 * num_classes))
        self.to_teacher = nn.Linear(feature_dim, teacher_dim)  # the code's out_h (no SN there either)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        h = F.leaky_relu(self.conv1(x * 2 - 1), 0.2)
        h = F.leaky_relu(self.conv2(h), 0.2)
        return F.leaky_relu(self.fc(h.flatten(1)), 0.2)

    def forward(self, x: torch.Tensor):
        f = self.features(x)
        return self.adv(f).squeeze(1), self.adc(f), self.to_teacher(f)


def adc_targets(y: torch.Tensor, real: bool) -> torch.Tensor:
    """Ψ_D's labels over 2C classes: 2y for a real image of class y (Y⁺), 2y + 1 for a fake one (Y⁻)."""
    return 2 * y + (0 if real else 1)


class SharedClassifier(nn.Module):
    """Classifier sharing (HiDFD §"Student Distillation"; SimKD): logits = Ψ_T(proj(Φ_S(x))) with the teacher's
    last linear layer ``head`` frozen. ``projector``: Linear(d_S → d_T) → BN → ReLU (the teacher's penultimate
    features are post-ReLU in kdnb's LeNet-5; SimKD's projector for conv maps ends in BN + ReLU too).
    ``forward(x, features=True)`` returns (logits, projected features)."""

    def __init__(self, student: nn.Module, student_dim: int, head: nn.Linear):
        super().__init__()
        self.student = student
        self.projector = nn.Sequential(nn.Linear(student_dim, head.in_features), nn.BatchNorm1d(head.in_features),
                                       nn.ReLU())
        self.head = copy.deepcopy(head).requires_grad_(False)

    def project(self, x: torch.Tensor) -> torch.Tensor:
        _, f = self.student(x, features=True)
        return self.projector(f)

    def forward(self, x: torch.Tensor, features: bool = False):
        f = self.project(x)
        logits = self.head(f)
        return (logits, f) if features else logits


__all__ = ["ConditionalGenerator", "TrackedGenerator", "ADCDiscriminator", "SharedClassifier", "adc_targets"]
