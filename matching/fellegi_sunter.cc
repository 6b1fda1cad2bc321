#include "matching/fellegi_sunter.h"

#include <algorithm>
#include <cmath>

namespace idr::matching {

double FsParameters::LevelWeight(int k, int l) const {
  if (l == 0) return 0.0;
  return std::log2(m[k][l] / u[k][l]);
}

double FsParameters::MatchWeight(Pattern p) const {
  double w = std::log2(lambda / (1 - lambda));
  for (size_t k = 0; k < m.size(); ++k)
    w += LevelWeight(static_cast<int>(k), LevelOf(p, k));
  return w;
}

double MatchProbability(double match_weight) {
  double bf = std::exp2(match_weight);
  return std::isinf(bf) ? 1.0 : bf / (1 + bf);
}

double MatchWeightOf(double probability) {
  return std::log2(probability / (1 - probability));
}

EmResult EstimateParameters(const PatternCounts& counts,
                            const std::vector<int>& levels,
                            const FsParameters& start,
                            const EmOptions& options) {
  return EstimateGroupedParameters({counts}, levels, start, options);
}

EmResult EstimateGroupedParameters(const std::vector<PatternCounts>& groups,
                                   const std::vector<int>& levels,
                                   const FsParameters& start,
                                   const EmOptions& options) {
  EmResult result;
  FsParameters& p = result.parameters;
  p = start;
  const size_t num = levels.size();
  // Flatten the patterns for cache-friendly iterations.
  std::vector<std::vector<std::pair<Pattern, double>>> patterns;
  for (const PatternCounts& counts : groups) {
    patterns.emplace_back(counts.begin(), counts.end());
    std::sort(patterns.back().begin(), patterns.back().end());
  }
  result.group_lambda.assign(groups.size(), start.lambda);

  std::vector<std::vector<double>> m_acc(num), u_acc(num), log_m(num),
      log_u(num);
  for (size_t k = 0; k < num; ++k) {
    m_acc[k].assign(levels[k], 0);
    u_acc[k].assign(levels[k], 0);
    log_m[k].assign(levels[k], 0);
    log_u[k].assign(levels[k], 0);
  }
  for (result.iterations = 1; result.iterations <= options.max_iterations;
       ++result.iterations) {
    for (size_t k = 0; k < num; ++k) {
      std::fill(m_acc[k].begin(), m_acc[k].end(), 0);
      std::fill(u_acc[k].begin(), u_acc[k].end(), 0);
    }
    double change = 0, all_matches = 0, all_total = 0;
    // The logs of this iteration's m and u, taken once, not once per vector.
    for (size_t k = 0; k < num; ++k) {
      for (int l = 1; l < levels[k]; ++l) {
        log_m[k][l] = std::log(p.m[k][l]);
        log_u[k][l] = std::log(p.u[k][l]);
      }
    }
    for (size_t g = 0; g < patterns.size(); ++g) {
      double& lambda = result.group_lambda[g];
      double matches = 0, total = 0;
      const double log_lambda = std::log(lambda);
      const double log_not_lambda = std::log(1 - lambda);
      // E-step: the posterior match probability of each distinct vector.
      for (const auto& [pattern, count] : patterns[g]) {
        double lm = log_lambda, lu = log_not_lambda;
        for (size_t k = 0; k < num; ++k) {
          int l = LevelOf(pattern, k);
          if (l == 0) continue;
          lm += log_m[k][l];
          lu += log_u[k][l];
        }
        double posterior = 1 / (1 + std::exp(lu - lm));
        double mw = count * posterior, uw = count * (1 - posterior);
        matches += mw;
        total += count;
        for (size_t k = 0; k < num; ++k) {
          int l = LevelOf(pattern, k);
          if (l == 0) continue;
          m_acc[k][l] += mw;
          u_acc[k][l] += uw;
        }
      }
      double updated = total > 0 ? matches / total : lambda;
      updated = std::clamp(updated, 1e-9, 1 - 1e-9);
      change = std::max(change, std::abs(updated - lambda));
      lambda = updated;
      all_matches += matches;
      all_total += total;
    }
    // M-step.
    auto update = [&](std::vector<double>& target,
                      const std::vector<double>& acc) {
      double sum = 0;
      for (size_t l = 1; l < acc.size(); ++l) sum += acc[l];
      if (sum <= 0) return;
      for (size_t l = 1; l < acc.size(); ++l) {
        double v = std::max(acc[l] / sum, options.min_probability);
        change = std::max(change, std::abs(v - target[l]));
        target[l] = v;
      }
    };
    for (size_t k = 0; k < num; ++k) {
      update(p.m[k], m_acc[k]);
      if (!options.fix_u) update(p.u[k], u_acc[k]);
    }
    if (all_total > 0)
      p.lambda = std::clamp(all_matches / all_total, 1e-9, 1 - 1e-9);
    if (change < options.tolerance) {
      result.converged = true;
      break;
    }
  }
  result.iterations = std::min(result.iterations, options.max_iterations);
  return result;
}

}  // namespace idr::matching
