#include "nanoscape/surrogate/nelder_mead.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace nanoscape {

std::vector<double> nelder_mead(const std::function<double(const std::vector<double>&)>& f, std::vector<double> x0,
                                double step, int max_evaluations, double tolerance) {
    const std::size_t d = x0.size();
    std::vector<std::vector<double>> simplex{x0};
    for (std::size_t k = 0; k < d; ++k) {
        auto x = x0;
        x[k] += step;
        simplex.push_back(x);
    }
    std::vector<double> values;
    int evaluations = 0;
    const auto eval = [&](const std::vector<double>& x) {
        ++evaluations;
        return f(x);
    };
    for (const auto& x : simplex) values.push_back(eval(x));
    std::vector<std::size_t> order(d + 1);
    const auto combine = [&](const std::vector<double>& a, const std::vector<double>& b, double t) {
        std::vector<double> x(d);  // a + t (b - a)
        for (std::size_t k = 0; k < d; ++k) x[k] = a[k] + t * (b[k] - a[k]);
        return x;
    };
    while (evaluations < max_evaluations) {
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
        const std::size_t best = order.front();
        const std::size_t worst = order.back();
        const std::size_t second = order[d - 1];
        if (std::abs(values[worst] - values[best]) < tolerance) break;
        std::vector<double> centroid(d, 0.0);
        for (std::size_t i = 0; i <= d; ++i)
            if (i != worst)
                for (std::size_t k = 0; k < d; ++k) centroid[k] += simplex[i][k] / static_cast<double>(d);
        const auto reflected = combine(centroid, simplex[worst], -1.0);
        const double fr = eval(reflected);
        if (fr < values[best]) {
            const auto expanded = combine(centroid, simplex[worst], -2.0);
            const double fe = eval(expanded);
            if (fe < fr) {
                simplex[worst] = expanded;
                values[worst] = fe;
            } else {
                simplex[worst] = reflected;
                values[worst] = fr;
            }
            continue;
        }
        if (fr < values[second]) {
            simplex[worst] = reflected;
            values[worst] = fr;
            continue;
        }
        const bool outside = fr < values[worst];
        const auto contracted = combine(centroid, outside ? reflected : simplex[worst], 0.5);
        const double fc = eval(contracted);
        if (fc < std::min(fr, values[worst])) {
            simplex[worst] = contracted;
            values[worst] = fc;
            continue;
        }
        for (std::size_t i = 0; i <= d; ++i) {  // shrink towards the best point
            if (i == best) continue;
            simplex[i] = combine(simplex[best], simplex[i], 0.5);
            values[i] = eval(simplex[i]);
        }
    }
    const auto it = std::min_element(values.begin(), values.end());
    return simplex[static_cast<std::size_t>(it - values.begin())];
}

}  // namespace nanoscape
