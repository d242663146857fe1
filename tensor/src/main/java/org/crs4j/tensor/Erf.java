package org.crs4j.tensor;

/** The error function in double precision (W. J. Cody's rational approximations, |error| below 1e-15). */
public final class Erf {
    private Erf() {}

    public static double erf(double x) {
        double ax = Math.abs(x);
        if (Double.isNaN(x)) return x;
        if (ax < 0.5) {
            double t = x * x;
            double num = (((1.85777706184603153e-1 * t + 3.16112374387056560e0) * t + 1.13864154151050156e2) * t
                    + 3.77485237685302021e2) * t + 3.20937758913846947e3;
            double den = (((t + 2.36012909523441209e1) * t + 2.44024637934444173e2) * t
                    + 1.28261652607737228e3) * t + 2.84423683343917062e3;
            return x * num / den;
        }
        double r = ax < 4.0 ? erfcMid(ax) : erfcTail(ax);
        return x < 0 ? r - 1.0 : 1.0 - r;
    }

    private static double erfcMid(double x) {
        double num = ((((((((2.15311535474403846e-8 * x + 5.64188496988670089e-1) * x + 8.88314979438837594e0) * x
                + 6.61191906371416295e1) * x + 2.98635138197400131e2) * x + 8.81952221241769090e2) * x
                + 1.71204761263407058e3) * x + 2.05107837782607147e3) * x + 1.23033935479799725e3);
        double den = ((((((((x + 1.57449261107098347e1) * x + 1.17693950891312499e2) * x + 5.37181101862009858e2) * x
                + 1.62138957456669019e3) * x + 3.29079923573345963e3) * x + 4.36261909014324716e3) * x
                + 3.43936767414372164e3) * x + 1.23033935480374942e3);
        return Math.exp(-x * x) * num / den;
    }

    private static double erfcTail(double x) {
        if (x > 27) return 0.0;
        double z = 1.0 / (x * x);
        double num = ((((1.63153871373020978e-2 * z + 3.05326634961232344e-1) * z + 3.60344899949804439e-1) * z
                + 1.25781726111229246e-1) * z + 1.60837851487422766e-2) * z + 6.58749161529837803e-4;
        double den = ((((z + 2.56852019228982242e0) * z + 1.87295284992346725e0) * z + 5.27905102951428412e-1) * z
                + 6.05183413124413191e-2) * z + 2.33520497626869185e-3;
        double r = z * num / den;
        r = (0.56418958354775628695 - r) / x; // 1/sqrt(pi) - r
        return Math.exp(-x * x) * r;
    }
}
